/**
 * @medrl/serve: the composed reward over HTTP (OpenRLHF's /get_reward, /v1/reward, /healthz,
 * /metrics) on fastify. Imports @medrl/core and @medrl/sdk; never tfjs or @medrl/engine.
 */
export { createServer, HttpError, type MedrlServer, type RewardScorer } from './server.js';
export { serveRun, superviseWorkers } from './serve-run.js';
export { serveBin, serveMain, SERVE_USAGE } from './main.js';
