// The three raw formats map to one shape; every malformed shape gets its own reason.
import { describe, expect, it } from 'vitest';
import { normalizeRaw } from '../../../core/cli/src/data/formats.js';

describe('normalizeRaw: accepted formats', () => {
  it.each([
    [
      'r1 {question, think, answer}',
      { question: '头痛怎么办', think: '先问诱因', answer: '休息，加重就医。', extra: 1 },
      { format: 'r1', instruction: '头痛怎么办', input: '', think: '先问诱因', answer: '休息，加重就医。' },
    ],
    [
      'r1 with the think block inside answer',
      { question: 'q', answer: '<think>why</think>because' },
      { format: 'r1', instruction: 'q', input: '', think: 'why', answer: 'because' },
    ],
    [
      'r1 with null think',
      { question: 'q', think: null, answer: 'a' },
      { format: 'r1', instruction: 'q', input: '', think: '', answer: 'a' },
    ],
    [
      'alpaca with <think> in output',
      { instruction: 'Answer as a doctor.', input: 'I have a cough', output: '<think>\nviral?\n</think>\n\nRest.' },
      { format: 'alpaca', instruction: 'Answer as a doctor.', input: 'I have a cough', think: '\nviral?\n', answer: '\n\nRest.' },
    ],
    [
      'alpaca without input or think',
      { instruction: 'q', output: 'a' },
      { format: 'alpaca', instruction: 'q', input: '', think: '', answer: 'a' },
    ],
    [
      'chat with system prompt',
      {
        messages: [
          { role: 'system', content: 'You are a doctor' },
          { role: 'user', content: '发烧' },
          { role: 'assistant', content: '<think>问体温</think>多喝水' },
        ],
      },
      { format: 'chat', instruction: '发烧', input: '', think: '问体温', answer: '多喝水' },
    ],
    [
      'chat with reasoning_content and earlier turns as context',
      {
        messages: [
          { role: 'user', content: '你好' },
          { role: 'assistant', content: '<think>greet</think>你好，请说' },
          { role: 'user', content: '头晕' },
          { role: 'assistant', content: '量血压', reasoning_content: '考虑低血压' },
        ],
      },
      { format: 'chat', instruction: '头晕', input: 'user: 你好\nassistant: 你好，请说', think: '考虑低血压', answer: '量血压' },
    ],
  ])('%s', (_name, value, expected) => {
    expect(normalizeRaw(value)).toEqual({ ok: true, record: expected });
  });
});

describe('normalizeRaw: rejections', () => {
  it.each([
    ['an array', [1, 2], 'not_an_object', 'got array'],
    ['a string', 'text', 'not_an_object', 'got string'],
    ['null', null, 'not_an_object', 'got null'],
    ['unknown keys', { prompt: 'p', completion: 'c' }, 'unknown_schema', 'got keys [prompt, completion]'],
    ['numeric question', { question: 5, answer: 'a' }, 'wrong_field_type', 'field "question" must be a string, got number'],
    ['array instruction', { instruction: ['a'], output: 'b' }, 'wrong_field_type', 'field "instruction" must be a string, got array'],
    ['messages not array', { messages: 'hi' }, 'wrong_field_type', 'field "messages" must be an array, got string'],
    ['message not object', { messages: ['hi'] }, 'wrong_field_type', 'field "messages[0]" must be an object'],
    ['bad role', { messages: [{ role: 'doctor', content: 'x' }] }, 'wrong_field_type', 'messages[0].role'],
    ['numeric content', { messages: [{ role: 'user', content: 3 }] }, 'wrong_field_type', 'field "messages[0].content"'],
  ])('%s', (_name, value, reason, detail) => {
    const result = normalizeRaw(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail).toContain(detail);
    }
  });

  it('reads a missing answer or reply as empty (prepare rejects it as empty_answer)', () => {
    expect(normalizeRaw({ question: 'q' })).toMatchObject({ ok: true, record: { answer: '' } });
    expect(normalizeRaw({ messages: [{ role: 'user', content: 'q' }] })).toMatchObject({
      ok: true,
      record: { instruction: 'q', answer: '' },
    });
  });
});
