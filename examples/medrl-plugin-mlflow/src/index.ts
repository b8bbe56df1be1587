/**
 * medrl-plugin-mlflow — an example logger plugin (TRL's `report_to`): every row that `medrl sft`
 * and `medrl train` log goes to an MLflow tracking server through its REST API, one MLflow run per
 * medrl run, with the redacted config as params. It only needs `fetch`: no MLflow client library.
 *
 *   output: { report_to: ['tensorboard', 'mlflow'] }            // or, with options:
 *   plugins: [..., ['mlflow', { trackingUri: 'http://127.0.0.1:5000', experiment: 'medrl' }]]
 *
 * May import: @medrl/sdk and Node built-ins.
 */
import { definePlugin, type MedrlPlugin, type TrainStartPayload } from '@medrl/sdk';

export const PLUGIN_NAME = 'medrl-plugin-mlflow';

export interface MlflowOptions {
  /** Tracking server. Default: MLFLOW_TRACKING_URI, else http://127.0.0.1:5000. */
  trackingUri?: string;
  /** Experiment name (created when missing). Default: MLFLOW_EXPERIMENT_NAME, else `medrl`. */
  experiment?: string;
  /** Rows buffered before a log-batch call (MLflow takes at most 1000 metrics per call). Default 20. */
  flushEvery?: number;
}

interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** The config as MLflow params: dotted keys, values cut to MLflow's 500 characters. */
export function configParams(config: Record<string, unknown>, prefix = ''): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const [k, v] of Object.entries(config)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out.push(...configParams(v as Record<string, unknown>, key));
    else out.push({ key, value: JSON.stringify(v ?? null).slice(0, 500) });
  }
  return out;
}

export default function mlflow(options: MlflowOptions = {}): MedrlPlugin {
  const base = (options.trackingUri ?? process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000').replace(/\/$/, '');
  const experiment = options.experiment ?? process.env.MLFLOW_EXPERIMENT_NAME ?? 'medrl';
  const flushEvery = options.flushEvery ?? 20;
  let runId: string | undefined;
  let pending: Metric[] = [];
  let rows = 0;

  const call = async (method: 'GET' | 'POST', endpoint: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${base}/api/2.0/mlflow/${endpoint}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      const error = new Error(`${PLUGIN_NAME}: ${method} ${endpoint}: HTTP ${response.status} ${text.slice(0, 200)}`);
      Object.assign(error, { status: response.status, text });
      throw error;
    }
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const experimentId = async (): Promise<string> => {
    try {
      const found = await call('GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`);
      return (found.experiment as { experiment_id: string }).experiment_id;
    } catch (error) {
      if (!/RESOURCE_DOES_NOT_EXIST/.test(String((error as { text?: string }).text))) throw error;
      return ((await call('POST', 'experiments/create', { name: experiment })) as { experiment_id: string })
        .experiment_id;
    }
  };

  const flush = async () => {
    if (!runId || pending.length === 0) return;
    for (let i = 0; i < pending.length; i += 1000) {
      await call('POST', 'runs/log-batch', { run_id: runId, metrics: pending.slice(i, i + 1000) });
    }
    pending = [];
    rows = 0;
  };

  const start = async (payload: TrainStartPayload) => {
    const created = await call('POST', 'runs/create', {
      experiment_id: await experimentId(),
      run_name: payload.runName ?? `${payload.algo}`,
      start_time: Date.now(),
      tags: [
        { key: 'medrl.algo', value: payload.algo },
        { key: 'medrl.output_dir', value: payload.outputDir },
        ...(payload.resumedFrom !== undefined
          ? [{ key: 'medrl.resumed_from', value: String(payload.resumedFrom) }]
          : []),
      ],
    });
    runId = (created.run as { info: { run_id: string } }).info.run_id;
    const params = configParams(payload.config);
    for (let i = 0; i < params.length; i += 100) {
      await call('POST', 'runs/log-batch', { run_id: runId, params: params.slice(i, i + 100) });
    }
  };

  return definePlugin({
    name: PLUGIN_NAME,
    apiVersion: '1.1',
    version: '0.1.0',
    async onTrainStart(payload) {
      await start(payload);
    },
    async onLog({ step, values }) {
      const timestamp = Date.now();
      for (const [key, value] of Object.entries(values)) {
        if (Number.isFinite(value)) pending.push({ key, value, timestamp, step });
      }
      rows += 1;
      if (rows >= flushEvery) await flush();
    },
    async onTrainEnd({ reason }) {
      await flush();
      if (!runId) return;
      const status = reason === 'interrupted' ? 'KILLED' : 'FINISHED';
      await call('POST', 'runs/update', { run_id: runId, status, end_time: Date.now() });
      runId = undefined;
    },
  });
}
