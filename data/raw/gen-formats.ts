/**
 * The three input formats (medical_r1, medical_alpaca, medical_chat) and the dirty web-scrape file
 * that exercises every cleaning and rejection rule of `medrl prepare`.
 */
import type { Rand } from './gen-random.js';
import type { QA } from './gen-routine.js';

export type Line = Record<string, unknown>;
export type Format = 'r1' | 'alpaca' | 'chat';

const SYSTEM_ZH = ['你是一名耐心、严谨的全科医生，回答要准确并提醒必要的就医。', '你是医疗健康助手，请用通俗的语言回答用户的问题。', '你是一名医生，请先思考再回答。'];
const SYSTEM_EN = ['You are a careful, friendly physician assistant.', 'You are a medical information assistant. Be accurate and safe.', 'You are a doctor. Think first, then answer.'];
const ALPACA_TASK_ZH = ['请以医生的身份回答下面的健康咨询。', '根据用户的描述给出专业、安全的医学建议。', '回答以下医学问题。'];
const ALPACA_TASK_EN = ["Answer the patient's question as a careful physician.", 'Give safe, accurate medical guidance for the following question.', 'Answer the following medical question.'];

export function assistantText(qa: QA): string {
  return `<think>\n${qa.think}\n</think>\n\n${qa.answer}`;
}

export function toR1(qa: QA): Line {
  return { question: qa.question, think: qa.think, answer: qa.answer };
}

export function toAlpaca(qa: QA, rand: Rand): Line {
  const output = assistantText(qa);
  if (rand.chance(0.4)) return { instruction: rand.pick(qa.lang === 'zh' ? ALPACA_TASK_ZH : ALPACA_TASK_EN), input: qa.question, output };
  return { instruction: qa.question, input: '', output };
}

export function toChat(qa: QA, rand: Rand): Line {
  const messages: Line[] = [];
  if (rand.chance(0.25)) messages.push({ role: 'system', content: rand.pick(qa.lang === 'zh' ? SYSTEM_ZH : SYSTEM_EN) });
  messages.push({ role: 'user', content: qa.question });
  if (rand.chance(0.2)) messages.push({ role: 'assistant', content: qa.answer, reasoning_content: qa.think });
  else messages.push({ role: 'assistant', content: assistantText(qa) });
  return { messages };
}

/**
 * Dirt for `medrl prepare` to clean, de-identify, dedupe or reject. Its duplicates copy records of
 * the sample (the first r1 and chat records), so the same file works for data/raw and data/sample.
 */
export function dirtyLines(r1: Line[], chat: Line[]): string[] {
  const json = (value: unknown) => JSON.stringify(value);
  const lines: string[] = [];
  // Exact duplicates (one re-spaced, which normalisation also catches).
  lines.push(json(r1[3]), json(r1[10]), json(chat[5]));
  lines.push(json({ ...r1[17], question: `  ${String(r1[17].question)}  ` }));
  // Near duplicates: small edits of existing records.
  lines.push(json({ ...r1[4], question: `请问，${String(r1[4].question)}` }));
  lines.push(json({ ...r1[8], answer: String(r1[8].answer).replace('。', '，') + '希望对你有帮助。' }));
  lines.push(json({ ...r1[12], think: String(r1[12].think).slice(0, -6) }));
  // Empty answers.
  lines.push(json({ question: '感冒了喉咙痛怎么办？', think: '', answer: '' }));
  lines.push(json({ question: '孩子晚上磨牙是缺钙吗？', think: '需要解释磨牙的常见原因', answer: '<p>&nbsp;</p>' }));
  lines.push(json({ instruction: 'What helps with a stiff neck after sleeping?', input: '', output: '<think>neck strain</think>   ' }));
  lines.push(json({ messages: [{ role: 'user', content: '胃胀气吃什么好？' }] }));
  lines.push(json({ question: '', think: '无', answer: '多喝热水。' }));
  // HTML fragments and entities.
  lines.push(
    json({
      question: '<p>体检发现尿酸&nbsp;520&nbsp;μmol/L，没有痛过，需要吃药吗？</p>',
      think: '无症状高尿酸血症&gt;480时需结合合并症评估。',
      answer:
        '<div>无症状的高尿酸血症是否用药，要看尿酸水平和是否合并高血压、糖尿病、肾病、尿酸性肾结石等。<br/>一般先从生活方式入手：少喝酒（尤其啤酒）、少吃动物内脏和海鲜、<b>多喝水</b>、控制体重，3个月后复查。<br>是否需要降尿酸药由内分泌科或风湿科医生评估。</div>',
    }),
  );
  lines.push(
    json({
      instruction: 'Is it safe to drink coffee with high blood pressure?',
      input: '',
      output:
        '<think>Caffeine raises BP briefly; moderate intake usually fine.</think><p>Moderate coffee (about 1&ndash;2 cups a day) is fine for most people with high blood pressure, although caffeine can raise readings for a few hours.</p><ul><li>Avoid coffee in the 30 minutes before you measure your pressure.</li><li>Ask your doctor if your readings stay above 140/90 &amp; you drink a lot of coffee.</li></ul>',
    }),
  );
  lines.push(
    json({
      question: '孩子&#x6E7F;疹反复，能用润肤霜吗&#65311;',
      think: '湿疹基础治疗是保湿。',
      answer: '可以，而且应该用。湿疹&amp;皮肤干燥密切相关，每天至少涂两次无香料的润肤霜，洗澡后3分钟内涂效果最好；&lt;2岁&gt;的宝宝如需外用药膏，请先问儿科或皮肤科医生。',
    }),
  );
  lines.push(
    json({
      question: '晚上腿抽筋是缺钙吗<script>alert(1)</script>',
      think: '夜间腿抽筋常见原因：疲劳、受凉、脱水，缺钙只是之一。',
      answer: '夜间小腿抽筋很常见，多与白天疲劳、受凉、出汗多或睡姿有关，缺钙只是原因之一。抽筋时把脚尖向身体方向勾起、按摩小腿即可缓解。频繁发作或伴下肢肿痛、麻木，请看医生，同时查一下血电解质和下肢血管。',
    }),
  );
  // PII to de-identify.
  lines.push(
    json({
      question: '我叫王某某，电话13812345678，身份证号110105198803154321，最近血糖有点高，能加我微信详细聊吗？',
      think: '用户留下了个人信息，回答中不应复述；血糖偏高需要复查。',
      answer: '为了保护隐私，请不要在网上公开电话和身份证号。血糖偏高建议到内分泌科复查空腹血糖和糖化血红蛋白，医生会根据结果给出饮食运动和是否用药的建议。',
    }),
  );
  lines.push(
    json({
      instruction: '复诊咨询',
      input: '患者住院号：ZY20231187，联系邮箱 zhang.wei@example.com，座机010-65432198。出院后伤口发红有渗液。',
      output:
        '<think>术后伤口发红渗液提示可能感染，需要复诊。</think>术后伤口发红、渗液可能提示感染，请尽快回手术医院复诊换药，如出现发热、伤口剧痛或流脓，请当天就诊。',
    }),
  );
  lines.push(
    json({
      messages: [
        { role: 'user', content: 'Please call me back at (415) 555-0134 or email j.doe@example.org, my son has a rash after amoxicillin.' },
        {
          role: 'assistant',
          content:
            '<think>Rash after amoxicillin: could be allergy or viral rash; check for anaphylaxis signs.</think>I cannot make phone calls, so please do not share contact details here. A rash after amoxicillin needs a doctor to look at it today. Hold the next dose until you have spoken with his doctor, and call 911 if he has swelling of the face or lips, trouble breathing or seems very unwell.',
        },
      ],
    }),
  );
  lines.push(
    json({
      question: '妈妈+86 139-1234-5678 咨询：降压药漏吃一次要补吗？',
      think: '漏服处理取决于药物和时间间隔。',
      answer: '漏服降压药一般在想起时尽快补上，但如果已接近下一次服药时间，就跳过这一次，不要一次吃双倍。不同药物规定不同，最稳妥的是看说明书或问开药医生、药师。',
    }),
  );
  // Not JSON, not an object, unknown schema, wrong types.
  lines.push('{"question": "头晕是怎么回事", "answer": "可能是低血压');
  lines.push("{'question': '发烧能洗澡吗', 'answer': '可以温水快速洗'}");
  lines.push('{"question": "咳嗽两周", "answer": "建议就医",}');
  lines.push('这一行是复制时混进来的说明文字，不是 JSON');
  lines.push('["question", "answer"]');
  lines.push('null');
  lines.push(json({ prompt: 'What is a normal heart rate?', completion: '60 to 100 beats per minute at rest.' }));
  lines.push(json({ question: 12345, think: '', answer: '数字不是问题' }));
  lines.push(json({ messages: '你好，医生' }));
  lines.push(json({ instruction: ['多个', '问题'], input: '', output: '格式错误' }));
  // Control characters and zero-width spaces.
  lines.push(
    json({
      question: '打完\u200b新冠疫苗\u0007胳膊疼正常吗？',
      think: '接种部位疼痛是常见反应。\u0000',
      answer: '接种部位疼痛、轻度红肿是常见反应，一般1到3天缓解，可以冷敷。\u000b如果红肿范围越来越大、持续高热或出现呼吸困难，请就医。',
    }),
  );
  return lines;
}

/** The dirty file's bytes: CRLF line ends, a BOM, blank lines, one invalid UTF-8 line and one oversize line. */
export function dirtyFile(r1: Line[], chat: Line[]): Buffer {
  const dirty = dirtyLines(r1, chat);
  const oversize = JSON.stringify({
    question: '帮我看看这张化验单',
    answer: '图片太大无法处理',
    image: 'data:image/png;base64,' + 'iVBORw0KGgo'.repeat(6200),
  });
  return Buffer.concat([
    Buffer.from('\ufeff' + dirty.slice(0, 8).join('\r\n') + '\r\n\r\n', 'utf8'),
    Buffer.from('{"question": "caf', 'utf8'),
    Buffer.from([0xe9]), // Latin-1 "é": an export that was not UTF-8
    Buffer.from(' au lait and reflux?", "answer": "Coffee can worsen reflux."}\r\n', 'utf8'),
    Buffer.from(dirty.slice(8).join('\r\n') + '\r\n   \r\n' + oversize + '\r\n', 'utf8'),
  ]);
}
