// OpenCIBA as the benchmark runs it: the library entry (dist/index.js) started like
// `openciba serve`, with an embedded authentication device that approves every request at once,
// inside the backchannel request — the same point of the flow at which the oidc-provider target
// approves (its triggerAuthenticationDevice hook). Services use it once their front settings
// choose the `embedded` channel (bench/targets/openciba.mjs does that).
import { loadConfig, serve } from '../../dist/index.js';

const approveAtOnce = {
  async requestReceived(_request, decide) {
    const outcome = await decide('allow');
    if (!outcome.ok) throw new Error(`approval refused: ${outcome.error}`);
  },
};

await serve(loadConfig(process.env), { authenticationDevice: approveAtOnce });
