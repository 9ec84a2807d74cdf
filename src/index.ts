/**
 * OpenCIBA as a library: start the server inside your own Node program, for instance to give
 * it an authentication device of your own (`authenticationDevice`, used by services whose
 * front settings choose the `embedded` channel).
 *
 *   import { loadConfig, serve } from 'openciba';
 *   await serve(loadConfig(process.env), { authenticationDevice: { requestReceived: (request, decide) => … } });
 */
export { loadConfig, ConfigError, type Config } from './server/config.js';
export { createRuntime, type Runtime, type RuntimeOverrides } from './server/runtime.js';
export { serve } from './server/serve.js';
export type { AuthenticationDevice, DeviceRequest } from './op/device/embedded-device.js';
export type { Decision, DecisionOutcome } from './op/device/decide-request.js';
