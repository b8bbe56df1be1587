// Qwen3's chat template (from the shipped tokenizer_config.json) rendered through @huggingface/jinja,
// compared with the exact strings transformers' apply_chat_template produces for the same template.
import type { ChatMessage } from '@medrl/sdk';
import {
  ChatTemplate,
  chatTemplateSource,
  qwen3ChatTemplate,
  type ChatTemplateOptions,
  type TemplateMessage,
} from '../../core/engine/src/chat-template.js';

const template = new ChatTemplate(qwen3ChatTemplate(), { eos_token: '<|im_end|>' }, 'qwen3');

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
const system = (content: string): ChatMessage => ({ role: 'system', content });

describe('Qwen3 chat template', () => {
  it.each<[string, TemplateMessage[], ChatTemplateOptions, string]>([
    [
      'a user turn with a generation prompt',
      [user('头痛怎么办？')],
      { addGenerationPrompt: true },
      '<|im_start|>user\n头痛怎么办？<|im_end|>\n<|im_start|>assistant\n',
    ],
    [
      'thinking disabled: an empty think block opens the answer',
      [user('头痛怎么办？')],
      { addGenerationPrompt: true, enableThinking: false },
      '<|im_start|>user\n头痛怎么办？<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    ],
    [
      'thinking enabled explicitly: same as the default',
      [user('头痛怎么办？')],
      { addGenerationPrompt: true, enableThinking: true },
      '<|im_start|>user\n头痛怎么办？<|im_end|>\n<|im_start|>assistant\n',
    ],
    ['no generation prompt', [user('hi')], { enableThinking: false }, '<|im_start|>user\nhi<|im_end|>\n'],
    [
      'a system prompt first',
      [system('You are a careful physician.'), user('Fever for 3 days?')],
      { addGenerationPrompt: true },
      '<|im_start|>system\nYou are a careful physician.<|im_end|>\n<|im_start|>user\nFever for 3 days?<|im_end|>\n<|im_start|>assistant\n',
    ],
    [
      'reasoning of earlier assistant turns is dropped from history',
      [user('Q1'), assistant('<think>\nr1\n</think>\n\nA1'), user('Q2')],
      { addGenerationPrompt: true },
      '<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n',
    ],
    [
      'the final assistant turn keeps its reasoning (SFT targets)',
      [user('Q'), assistant('<think>\nreason\n</think>\n\nanswer')],
      {},
      '<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nreason\n</think>\n\nanswer<|im_end|>\n',
    ],
    [
      'a final assistant turn without reasoning gets an empty think block',
      [user('Q'), assistant('answer')],
      {},
      '<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nanswer<|im_end|>\n',
    ],
    [
      'reasoning_content is used when given separately',
      [user('Q'), { role: 'assistant', content: 'answer', reasoning_content: 'why' }],
      {},
      '<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nwhy\n</think>\n\nanswer<|im_end|>\n',
    ],
    [
      'a tool message becomes a user tool_response',
      [user('Q'), assistant('calling'), { role: 'tool', content: '{"ok":true}' }],
      {},
      // The assistant turn is not last and has no reasoning, so it gets no think block.
      '<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\ncalling<|im_end|>\n<|im_start|>user\n<tool_response>\n{"ok":true}\n</tool_response><|im_end|>\n',
    ],
  ])('%s', (_label, messages, options, expected) => {
    expect(template.render(messages, options)).toBe(expected);
  });

  it('lists tools in the system turn', () => {
    const rendered = template.render([user('Q')], { tools: [{ type: 'function', function: { name: 'lookup' } }] });
    expect(rendered).toBe(
      '<|im_start|>system\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
        'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
        '{"type": "function", "function": {"name": "lookup"}}\n</tools>\n\n' +
        'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
        '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\nQ<|im_end|>\n',
    );
  });
});

describe('errors', () => {
  it('rejects an empty conversation and malformed messages, naming the template', () => {
    expect(() => template.render([])).toThrow('qwen3: cannot render an empty conversation');
    expect(() => template.render([{ role: 'user' } as ChatMessage])).toThrow(
      'qwen3: messages[0] needs a string role and content',
    );
  });

  it('names the origin of a template that does not parse', () => {
    expect(() => new ChatTemplate('{% if %}', {}, 'm/tokenizer_config.json')).toThrow(
      /^m\/tokenizer_config\.json: cannot parse the chat template/,
    );
  });

  it('reads string and named-list chat_template fields', () => {
    expect(chatTemplateSource({ chat_template: 'x' }, 'f')).toBe('x');
    expect(
      chatTemplateSource(
        {
          chat_template: [
            { name: 'tool_use', template: 't' },
            { name: 'default', template: 'd' },
          ],
        },
        'f',
      ),
    ).toBe('d');
    expect(chatTemplateSource({}, 'f')).toBeUndefined();
    expect(() => chatTemplateSource({ chat_template: 3 }, 'f')).toThrow(
      'f: chat_template must be a string or a list of {name, template}',
    );
  });

  it('uses special-token variables', () => {
    expect(
      new ChatTemplate('{{ bos_token }}{{ messages[0].content }}{{ eos_token }}', { bos_token: '<s>' }).render([
        user('x'),
      ]),
    ).toBe('<s>x');
  });
});
