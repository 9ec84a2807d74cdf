/**
 * OpenCIBA as a library: start the server inside your own Node program, for instance to give
 * it an authentication device of your own (`authenticationDevice`, used by services whose
 * front settings choose the `embedded` channel).
 *
 *   import { loadConfig, serve } from 'openciba';
 *   await serve(loadConfig(process.env), { authenticationDevice: { requestReceived: (request, decide) => … } });
 *
 * `serve` behaves like `openciba serve`: it listens, and on SIGINT/SIGTERM closes the server and
 * exits the process. To keep those to your program, use `createRuntime` and call
 * `runtime.app.listen(…)` and `runtime.close()` yourself.
 */
export { loadConfig, ConfigError, type Config } from './server/config.js';
export { createRuntime, type Runtime, type RuntimeOverrides } from './server/runtime.js';
export { serve } from './server/serve.js';
export type { AuthenticationDevice, DeviceRequest } from './op/device/embedded-device.js';
export type { Decision, DecisionOutcome } from './op/device/decide-request.js';
