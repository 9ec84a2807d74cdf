// `openciba serve` from the built library (dist/, as the global setup builds it) with an embedded
// authentication device that approves every request at once, inside its backchannel request —
// the benchmark's set-up (bench/targets/openciba-server.mjs). Services use it once their front
// settings choose the `embedded` channel; the others keep their own channel.
import { loadConfig, serve } from '../../dist/index.js';

const approveAtOnce = {
  async requestReceived(_request, decide) {
    const outcome = await decide('allow');
    if (!outcome.ok) throw new Error(`approval refused: ${outcome.error}`);
  },
};

const config = loadConfig(process.env);
await serve(config, { authenticationDevice: approveAtOnce });
// What startServe waits for (the command line's banner says the same).
console.log(`Listening: http://${config.host}:${config.port}`);
