// The MLflow logger against a local stand-in for the tracking server's REST API (127.0.0.1 only):
// it creates the experiment and a run named after the medrl run, logs the config as params, every
// logged row as metrics with their steps, and ends the run FINISHED (KILLED when interrupted).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mlflow, { configParams } from '../src/index.js';

interface Call {
  method: string;
  path: string;
  body: Record<string, unknown>;
}
let server: Server;
let url = '';
const calls: Call[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      calls.push({ method: req.method ?? '', path, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      res.setHeader('content-type', 'application/json');
      if (path.startsWith('/api/2.0/mlflow/experiments/get-by-name')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such experiment' }));
      } else if (path === '/api/2.0/mlflow/experiments/create') res.end(JSON.stringify({ experiment_id: '7' }));
      else if (path === '/api/2.0/mlflow/runs/create') res.end(JSON.stringify({ run: { info: { run_id: 'r1' } } }));
      else res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('medrl-plugin-mlflow', () => {
  it('turns a training run into an MLflow run with params and metrics', async () => {
    const plugin = mlflow({ trackingUri: url, experiment: 'med', flushEvery: 2 });
    await plugin.onTrainStart!({
      algo: 'sft',
      totalSteps: 30,
      outputDir: '/tmp/out',
      runName: 'lr-1e-3',
      config: { sft: { learning_rate: 0.001, output_dir: 'models/lora' }, output: { report_to: ['mlflow'] } },
    });
    for (const step of [10, 20, 30])
      await plugin.onLog!({ algo: 'sft', step, values: { loss: 4 - step / 10, eval_loss: Number.NaN } });
    await plugin.onTrainEnd!({ step: 30, outputDir: '/tmp/out', reason: 'finished' });

    expect(calls.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual([
      'GET /api/2.0/mlflow/experiments/get-by-name',
      'POST /api/2.0/mlflow/experiments/create',
      'POST /api/2.0/mlflow/runs/create',
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /api/2.0/mlflow/runs/update',
    ]);
    expect(calls[1]!.body).toEqual({ name: 'med' });
    expect(calls[2]!.body).toMatchObject({ experiment_id: '7', run_name: 'lr-1e-3' });
    expect(calls[3]!.body.params).toEqual([
      { key: 'sft.learning_rate', value: '0.001' },
      { key: 'sft.output_dir', value: '"models/lora"' },
      { key: 'output.report_to', value: '["mlflow"]' },
    ]);
    const metrics = [calls[4]!, calls[5]!].flatMap(
      (c) => c.body.metrics as { key: string; value: number; step: number }[],
    );
    expect(metrics.map(({ key, value, step }) => [key, step, value])).toEqual([
      ['loss', 10, 3],
      ['loss', 20, 2],
      ['loss', 30, 1],
    ]);
    expect(calls[6]!.body).toMatchObject({ run_id: 'r1', status: 'FINISHED' });
  });

  it('flattens nested config into dotted params, cut to 500 characters', () => {
    expect(configParams({ a: { b: { c: 1 } }, long: 'x'.repeat(600) }).map((p) => [p.key, p.value.length])).toEqual([
      ['a.b.c', 1],
      ['long', 500],
    ]);
  });
});
