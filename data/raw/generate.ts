/**
 * Writes the sample corpus of this folder, deterministically: `npx tsx data/raw/generate.ts`.
 *
 * - medical_r1.jsonl      {question, think, answer}            (as ModelScope's delicate_medical_r1_data)
 * - medical_alpaca.jsonl  {instruction, input, output}         (output = `<think>...</think>answer`)
 * - medical_chat.jsonl    {messages: [{role, content}, ...]}   (some with `reasoning_content`)
 * - web_scrape_dirty.jsonl    realistic dirt for `medrl prepare` to clean, de-identify, dedupe or reject
 *
 * The content (generate-conditions.ts, generate-high-risk.ts) was written for this project: routine
 * questions about 42 Chinese conditions (six angles) and 11 English ones (five angles), written medication Q&As,, plus high-risk prompts
 * whose answers model safe behaviour. All names, phone numbers, e-mails and ID numbers in the dirty
 * file are invented. This script imports nothing from the project, so it runs anywhere tsx does.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EN_CONDITIONS, PHARMACY_QA, ZH_CONDITIONS, type Condition } from './generate-conditions.js';
import { HIGH_RISK } from './generate-high-risk.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** mulberry32: a tiny seeded PRNG, enough for picking phrasings reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20240601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

interface QA {
  question: string;
  think: string;
  answer: string;
  lang: 'zh' | 'en';
}

const DEPARTMENT_ZH: Record<string, string> = {
  internal_medicine: '全科或普通内科',
  pediatrics: '儿科',
  obstetrics_gynecology: '妇产科',
  cardiology: '心内科',
  neurology: '神经内科',
  mental_health: '精神心理科',
  dermatology: '皮肤科',
  gastroenterology: '消化内科',
  endocrinology: '内分泌科',
  respiratory: '呼吸内科',
  emergency: '急诊科',
  pharmacy: '药学门诊或药店药师',
  orthopedics: '骨科',
  ophthalmology_ent: '眼科或耳鼻喉科',
  nephrology_urology: '泌尿外科或肾内科',
};

const DEPARTMENT_EN: Record<string, string> = {
  cardiology: 'your primary care doctor',
  endocrinology: 'your primary care doctor',
  respiratory: 'your doctor or an asthma clinic',
  gastroenterology: 'your doctor',
  neurology: 'your doctor',
  dermatology: 'your doctor or a dermatologist',
  mental_health: 'your doctor or a mental health professional',
  pediatrics: "your child's pediatrician",
  obstetrics_gynecology: 'your gynecologist',
  orthopedics: 'your doctor or a physiotherapist',
  nephrology_urology: 'your doctor or an urgent care clinic',
  pharmacy: 'your pharmacist',
};

/** Five angles on one Chinese condition; each answer rests on different facts so they are not near duplicates. */
function zhAngles(c: Condition): QA[] {
  const dept = c.dept ?? DEPARTMENT_ZH[c.specialty];
  return [
    {
      question: pick([
        `${c.ask}，这是怎么回事？会不会是${c.name}？`,
        `医生您好，${c.ask}，想知道可能是什么原因。`,
        `${c.ask}。请问这是什么问题引起的？`,
      ]),
      think: `用户描述的情况是：${c.ask}。这些表现与${c.name}比较吻合，其典型表现为${c.symptoms}。常见原因有${c.causes}。仅凭文字不能确诊，回答时要解释可能性并建议到${dept}面诊。`,
      answer: `根据你的描述，比较像${c.name}，但还需要医生面诊确认。\n\n**常见表现**：${c.symptoms}。\n\n**可能的原因**：${c.causes}。\n\n建议到${dept}就诊，医生会结合查体和必要的检查明确诊断。`,
      lang: 'zh',
    },
    {
      question: pick([
        `得了${c.name}平时应该怎么处理？`,
        `医生说我是${c.name}，在家需要注意些什么？`,
        `家里人被诊断为${c.name}，日常怎么护理比较好？`,
      ]),
      think: `用户已经被诊断为${c.name}，想了解日常处理方法。核心要点是：${c.care}。涉及处方药的部分不能给具体剂量，应强调遵医嘱和定期复诊。`,
      answer: `${c.name}的日常管理可以从以下几方面入手：\n\n${c.care}。\n\n在治疗过程中请按医生的安排复诊，有新的不适及时告诉医生，不要自行更改用药。`,
      lang: 'zh',
    },
    {
      question: pick([
        `怀疑${c.name}，需要做哪些检查？`,
        `${c.ask}，去医院应该查什么？`,
        `${c.name}一般要做什么检查才能确诊？`,
      ]),
      think: `用户想知道${c.name}相关的检查。需要说明的检查有：${c.tests}。同时解释每项检查的目的，并提醒挂${dept}。`,
      answer: `针对${c.name}，医生通常会安排这些检查：${c.tests}。\n\n检查项目会根据你的具体情况增减，可以先挂${dept}，把症状出现的时间、诱因和已经做过的检查结果带上，能帮医生更快判断。`,
      lang: 'zh',
    },
    {
      question: pick([
        `${c.name}什么情况下需要马上去医院？`,
        `${c.name}出现哪些信号说明病情加重了？`,
        `我有${c.name}，哪些症状是危险信号？`,
      ]),
      think: `用户询问${c.name}的危险信号。需要马上就医的情况包括：${c.redFlags}。回答要把这些信号列清楚，并说明出现时直接去急诊或拨打120。`,
      answer: `如果出现以下情况，请不要在家观察，应尽快去医院，情况紧急时直接拨打120：\n\n${c.redFlags}。\n\n平时也可以把这些信号告诉家人，一旦发生能及时送医。`,
      lang: 'zh',
    },
    {
      question: pick([
        `${c.name}能预防吗？生活上要注意什么？`,
        `怎样降低得${c.name}的风险？`,
        `有什么办法可以避免${c.name}反复发作？`,
      ]),
      think: `用户关心${c.name}的预防。可行的措施有：${c.prevent}。回答应具体、可执行，并说明预防不能代替已有症状时的就医。`,
      answer: `预防${c.name}，可以做到这些：\n\n${c.prevent}。\n\n这些习惯需要长期坚持；如果已经有相关症状，请先就医评估，不要只靠生活调理。`,
      lang: 'zh',
    },
    {
      question: pick([`${c.ask}，需要去医院吗？挂什么科？`, `${c.ask}，要不要紧，能先观察几天吗？`]),
      think: `用户在问${c.ask}是否需要就医。这可能与${c.name}有关，首诊可以选${dept}；需要先排除的危险情况是${c.redFlags}。可以先做的是${c.care.split('，')[0]}。`,
      answer: `可能与${c.name}有关，建议先到${dept}就诊评估，不建议长期自己观察。\n\n看病前可以先${c.care.split('，')[0]}，并记下症状开始的时间和变化。医生可能会安排${c.tests.split('，')[0]}等检查。\n\n如果出现${c.redFlags.split('、').slice(0, 2).join('、')}，就不要等门诊，直接去急诊。`,
      lang: 'zh',
    },
  ];
}

function enAngles(c: Condition): QA[] {
  const who = DEPARTMENT_EN[c.specialty] ?? 'your doctor';
  return [
    {
      question: pick([`${c.ask}. Could this be ${c.name}?`, `${c.ask}. What could be causing it?`]),
      think: `The user reports that ${c.ask}. This fits ${c.name}, which typically shows ${c.symptoms}. Common causes are ${c.causes}. I cannot diagnose from text, so I should explain and suggest seeing ${who}.`,
      answer: `What you describe sounds like it could be ${c.name}, but a clinician needs to confirm it.\n\n**Typical signs:** ${c.symptoms}.\n\n**Common causes:** ${c.causes}.\n\nIt is worth booking a visit with ${who} to confirm what is going on.`,
      lang: 'en',
    },
    {
      question: pick([`I was told I have ${c.name}. How should I manage it day to day?`, `What can I do at home about ${c.name}?`]),
      think: `The user has ${c.name} and asks about self-management. Key points: ${c.care}. No prescription doses; defer medication decisions to their clinician.`,
      answer: `Managing ${c.name} day to day:\n\n${c.care}.\n\nKeep your follow-up appointments and do not change any prescribed medicine without talking to your clinician.`,
      lang: 'en',
    },
    {
      question: pick([`What tests are used to check for ${c.name}?`, `${c.ask}. What tests should I ask for?`]),
      think: `The user asks which tests confirm ${c.name}: ${c.tests}. I should explain what each is for and that the clinician decides.`,
      answer: `For ${c.name}, the usual work-up is ${c.tests}.\n\nYour clinician may add or skip tests depending on your history, so bring notes on when symptoms started and any earlier results.`,
      lang: 'en',
    },
    {
      question: pick([`When is ${c.name} an emergency?`, `What warning signs with ${c.name} mean I should get help right away?`]),
      think: `The user wants the red flags for ${c.name}: ${c.redFlags}. List them clearly and say to seek emergency care (911) when they appear.`,
      answer: `Get medical help right away, and call 911 if it is severe, if you notice:\n\n${c.redFlags}.\n\nIt helps to tell the people you live with about these signs too.`,
      lang: 'en',
    },
    {
      question: pick([`How can I prevent ${c.name}?`, `Is there anything I can do to lower my risk of ${c.name}?`]),
      think: `The user asks about preventing ${c.name}. Practical steps: ${c.prevent}. Prevention does not replace assessment of current symptoms.`,
      answer: `To lower your risk of ${c.name}:\n\n${c.prevent}.\n\nIf you already have symptoms, get them checked rather than relying on lifestyle changes alone.`,
      lang: 'en',
    },
  ];
}

const SAFETY_NOTE_ZH = [
  '回答要先保证安全，给出明确的求助方式，不能提供处方或具体剂量。',
  '优先给出能立即执行且不会造成伤害的步骤，并明确建议急救或就医。',
  '语气要冷静、具体，先说最重要的行动。',
];
const SAFETY_NOTE_EN = [
  'Lead with the safest action, give clear ways to get help, and no prescription doses.',
  'Keep it calm and concrete, most important action first.',
  'Give first-aid steps that cannot cause harm and point firmly to emergency care.',
];

function highRiskRecords(): QA[] {
  const out: QA[] = [];
  for (const scenario of HIGH_RISK) {
    for (const variant of scenario.variants) {
      // Each answer keeps a seeded selection of the scenario's steps, in order.
      const steps = scenario.steps.filter(() => random() < 0.75);
      const chosen = steps.length >= 2 ? steps : scenario.steps.slice(0, 3);
      const numbered = chosen.map((step, i) => `${i + 1}. ${step}${scenario.lang === 'zh' ? '。' : '.'}`).join('\n');
      const note = pick(scenario.lang === 'zh' ? SAFETY_NOTE_ZH : SAFETY_NOTE_EN);
      out.push({
        question: variant.q,
        think: `${scenario.think}${scenario.lang === 'zh' ? '' : ' '}${variant.note}${scenario.lang === 'zh' ? '' : ' '}${note}`,
        answer: `${variant.specific}\n\n${numbered}\n\n${scenario.close}`,
        lang: scenario.lang,
      });
    }
  }
  return out;
}

const SYSTEM_ZH = ['你是一名耐心、严谨的全科医生，回答要准确并提醒必要的就医。', '你是医疗健康助手，请用通俗的语言回答用户的问题。'];
const SYSTEM_EN = ['You are a careful, friendly physician assistant.', 'You are a medical information assistant. Be accurate and safe.'];
const ALPACA_TASK_ZH = ['请以医生的身份回答下面的健康咨询。', '根据用户的描述给出专业、安全的医学建议。'];
const ALPACA_TASK_EN = ["Answer the patient's question as a careful physician.", 'Give safe, accurate medical guidance for the following question.'];

type Line = Record<string, unknown>;

function toR1(qa: QA): Line {
  return { question: qa.question, think: qa.think, answer: qa.answer };
}

function toAlpaca(qa: QA): Line {
  const output = `<think>\n${qa.think}\n</think>\n\n${qa.answer}`;
  if (random() < 0.4) {
    return { instruction: pick(qa.lang === 'zh' ? ALPACA_TASK_ZH : ALPACA_TASK_EN), input: qa.question, output };
  }
  return { instruction: qa.question, input: '', output };
}

function toChat(qa: QA): Line {
  const messages: Line[] = [];
  if (random() < 0.5) messages.push({ role: 'system', content: pick(qa.lang === 'zh' ? SYSTEM_ZH : SYSTEM_EN) });
  messages.push({ role: 'user', content: qa.question });
  if (random() < 0.2) messages.push({ role: 'assistant', content: qa.answer, reasoning_content: qa.think });
  else messages.push({ role: 'assistant', content: `<think>\n${qa.think}\n</think>\n\n${qa.answer}` });
  return { messages };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function dirtyLines(r1: Line[], chat: Line[]): string[] {
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

function main(): void {
  const all: QA[] = [
    ...ZH_CONDITIONS.flatMap(zhAngles),
    ...EN_CONDITIONS.flatMap(enAngles),
    ...PHARMACY_QA,
    ...highRiskRecords(),
  ];
  shuffle(all);
  const r1: Line[] = [];
  const alpaca: Line[] = [];
  const chat: Line[] = [];
  for (const qa of all) {
    const roll = random();
    if (roll < 0.45) r1.push(toR1(qa));
    else if (roll < 0.75) alpaca.push(toAlpaca(qa));
    else chat.push(toChat(qa));
  }
  const write = (name: string, lines: string[], eol = '\n') =>
    writeFileSync(path.join(here, name), lines.join(eol) + eol);
  write('medical_r1.jsonl', r1.map((line) => JSON.stringify(line)));
  write('medical_alpaca.jsonl', alpaca.map((line) => JSON.stringify(line)));
  write('medical_chat.jsonl', chat.map((line) => JSON.stringify(line)));

  // The dirty file: CRLF line ends, a BOM, blank lines, one invalid UTF-8 line and one oversize line.
  const dirty = dirtyLines(r1, chat);
  const oversize = JSON.stringify({
    question: '帮我看看这张化验单',
    answer: '图片太大无法处理',
    image: 'data:image/png;base64,' + 'iVBORw0KGgo'.repeat(6200),
  });
  const body = Buffer.concat([
    Buffer.from('\ufeff' + dirty.slice(0, 8).join('\r\n') + '\r\n\r\n', 'utf8'),
    Buffer.from('{"question": "caf', 'utf8'),
    Buffer.from([0xe9]), // Latin-1 "é": an export that was not UTF-8
    Buffer.from(' au lait and reflux?", "answer": "Coffee can worsen reflux."}\r\n', 'utf8'),
    Buffer.from(dirty.slice(8).join('\r\n') + '\r\n   \r\n' + oversize + '\r\n', 'utf8'),
  ]);
  writeFileSync(path.join(here, 'web_scrape_dirty.jsonl'), body);
  console.log(
    `wrote ${all.length} clean records (r1 ${r1.length}, alpaca ${alpaca.length}, chat ${chat.length}) ` +
      `and ${dirty.length + 2} dirty lines`,
  );
}

main();
