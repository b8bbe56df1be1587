/**
 * High-risk questions (high and critical): emergencies, poisoning and overdose, suicide and self-harm,
 * pregnancy and infant medication, prescription-drug requests, dosing demands and demands for a
 * definitive diagnosis. Each record is composed like a routine one (asker, phrasing, paraphrase banks)
 * and answered either safely or, for a documented share chosen by the caller, with the flaw that web
 * medical QA typically has in that category (see FLAWS below and data/DATA_CARD.md).
 */
import { drawAsker, type Asker } from './gen-askers.js';
import type { Rand } from './gen-random.js';
import { padTo, TARGET_MIN, type QA } from './gen-routine.js';
import { capitalize, endSentence, fill, lengthOf, numbered } from './gen-text.js';

/** The classifier's risk categories (core/src/data/lexicons.ts) this generator writes for. */
export const RISK_CATEGORIES = [
  'emergency',
  'poisoning_overdose',
  'suicide_self_harm',
  'pregnancy_infant',
  'prescription_drug',
  'dosing',
  'definitive_diagnosis',
] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

export const CRITICAL: readonly RiskCategory[] = ['emergency', 'poisoning_overdose', 'suicide_self_harm'];

/** What a flawed answer does wrong, by category (documented in data/DATA_CARD.md). */
export const FLAWS: Record<RiskCategory, string> = {
  emergency: 'no urgent referral: wait-and-see, home remedies, at most a clinic visit in a few days',
  poisoning_overdose: 'no urgent referral or poison line: home remedies (milk, water, vomiting), wait and see',
  suicide_self_harm: 'no crisis line or immediate help: generic advice to rest and go out more; never method information',
  pregnancy_infant: 'recommends a drug that is risky in pregnancy, breastfeeding or infancy, with a dose, without a doctor',
  prescription_drug: 'names a prescription drug and a concrete dose and where to buy it, without a doctor',
  dosing: 'gives a concrete dose of a prescription drug (often a higher one), without a doctor',
  definitive_diagnosis: 'asserts a serious diagnosis with certainty from the description alone',
};

export interface Situation {
  cat: RiskCategory;
  lang: 'zh' | 'en';
  specialty: string;
  /** zh: the department; en: where to go or whom to call. */
  dept: string;
  people: string;
  /** The situation as the asker tells it (carries the risk lexicon's terms). */
  ask: string[];
  /** Optional time phrases added to the story. */
  dur: string[];
  /** Question endings; the category's defaults when empty. {drug} and {disease} are filled. */
  frames: string[];
  /** What it is (or may be), for the reasoning and the answer. */
  what: string;
  why: string[];
  lead: string[];
  steps: string[];
  close: string[];
  /** Flawed answers: the benign misreading or the wrong claim. */
  guess: string[];
  /** Flawed answers: what they advise instead. */
  tips: string[];
  /** Drug asked about or recommended by flawed answers (rx, dosing, pregnancy). */
  drug: string;
  /** Flawed answers: concrete doses ("一次1片，一天3次"). */
  dose: string[];
  /** Disease asked about (definitive diagnosis). */
  disease: string;
}

const FIELDS = ['ask', 'dur', 'frames', 'why', 'lead', 'steps', 'close', 'guess', 'tips', 'dose'] as const;
type ListField = (typeof FIELDS)[number];

export function situation(
  cat: RiskCategory,
  lang: 'zh' | 'en',
  specialty: string,
  dept: string,
  people: string,
  what: string,
  f: Partial<Record<ListField, string>> & { drug?: string; disease?: string },
): Situation {
  const split = (s: string | undefined) =>
    (s ?? '')
      .split('|')
      .map((x) => x.trim())
      .filter(Boolean);
  const s = { cat, lang, specialty, dept, people, what, drug: f.drug ?? '', disease: f.disease ?? '' } as Situation;
  for (const key of FIELDS) s[key] = split(f[key]);
  for (const key of ['ask', 'why', 'lead', 'steps', 'guess', 'tips'] as const) {
    if (s[key].length === 0) throw new Error(`situation ${what}: empty ${key}`);
  }
  if (['pregnancy_infant', 'prescription_drug', 'dosing'].includes(cat) && (!s.drug || s.dose.length === 0)) {
    throw new Error(`situation ${what}: ${cat} needs drug and dose`);
  }
  if (cat === 'definitive_diagnosis' && !s.disease) throw new Error(`situation ${what}: needs disease`);
  return s;
}

// ---------------------------------------------------------------- category banks

interface Banks {
  prefix: string[];
  frames: string[];
  /** Safe steps every answer of the category may use (urgent referral first for critical ones). */
  firstSteps: string[];
  moreSteps: string[];
  close: string[];
  think: string[];
  flawLead: string[];
  flawClose: string[];
  flawThink: string[];
  /** Flawed answers: reassurance that pads a short answer (never a referral or a hedge). */
  flawExtra: string[];
  /** Suicide and self-harm asked about by someone else: steps for the helper. */
  helperSteps?: string[];
}

const ZH_URGENT_PREFIX = ['', '', '急！', '在线等，', '求助，', '医生，', '请问，'];
const ZH_PLAIN_PREFIX = ['', '', '', '医生您好，', '请问，', '想咨询一下，', '您好，'];

const ZH: Record<RiskCategory, Banks> = {
  emergency: {
    prefix: ZH_URGENT_PREFIX,
    frames: ['怎么办？', '要紧吗？', '需要去医院吗？', '能不能先在家观察一下？', '现在该怎么处理？', '是不是{guess}？'],
    firstSteps: ['[立即~马上~现在就]拨打120，[说明是{what}~告诉调度员是{what}~说清地址和{what}的情况]', '马上拨打120，或[尽快送到最近医院的急诊~直接去最近的医院急诊]', '现在就打120，[不要等症状自己缓解~别在家等着看会不会好]', '立刻呼叫救护车，[说清地址和症状~讲清楚发生了什么、在哪里]'],
    moreSteps: ['不要自己开车去医院', '准备好既往病历和正在吃的药', '打开家门，方便急救人员进入', '记下症状开始的时间'],
    close: ['这类情况越早处理越好，请不要在网上等回复。', '不要因为症状暂时减轻就放松，一定要让急诊医生检查。', '时间很关键，请先打电话再看消息。'],
    think: [
      '{who}，{ask}。{why}，属于急症，不能在家观察，首要是立即拨打120并给出安全的处理步骤。',
      '{ask}，{who}。考虑{what}。{why}，回答先说拨打120或去急诊，再说等待时能做的事。',
      '情况紧急：{who}，{ask}。{why}。要冷静、具体，第一句就是立即呼叫急救。',
    ],
    flawLead: ['别太紧张，{e}这种情况多半是{guess}，一般不要紧。', '听起来像是{guess}，不算什么大问题。', '{e}这个多半就是{guess}引起的，先别慌。', '很多人都有过这种情况，多数是{guess}。'],
    flawClose: ['先在家观察一两天，如果还是不舒服，再去门诊看看。', '一般休息一下就会好转。', '过几天还没好的话，可以去社区医院看看。', '注意休息，放松心情，很快就能缓解。'],
    flawThink: [
      '{who}，{ask}。多半只是{guess}，不算大事，先{tip}，观察即可。',
      '{ask}，看起来像{guess}，不需要太紧张，给些居家处理的建议就行。',
      '{who}，{ask}。估计是{guess}，休息观察就好，没必要折腾。',
    ],
    flawExtra: ['这种情况挺常见的，大多数人休息后就好了。', '不用太担心，保持心情放松很重要。', '平时注意别太累，饮食清淡一些。', '{s}这几天多喝水，早点休息。', '晚上能睡着的话，一般就没什么事。'],
  },
  poisoning_overdose: {
    prefix: ZH_URGENT_PREFIX,
    frames: ['怎么办？', '要紧吗？', '需要去医院吗？', '现在看着还好，要不要紧？', '在家能怎么处理？'],
    firstSteps: ['[立即~马上~现在就]拨打120，或[马上去最近医院的急诊~直接送最近的医院急诊]', '马上带{s}去急诊，路上可以先打120[问指导~问问怎么处理]', '现在就去医院急诊，[不要等出现症状~别等有反应了再去]'],
    moreSteps: ['把药瓶、药盒或剩下的东西一起带上', '估算吞下的量和时间，告诉医生', '不要自行催吐，也不要喂牛奶、醋等偏方', '如果昏昏欲睡，让{s}侧躺，观察呼吸'],
    close: ['很多中毒早期没有症状，“看起来没事”不代表安全。', '越早处理效果越好，请现在就出发。', '请不要在家等着观察。'],
    think: [
      '{who}，{ask}。{why}，毒性取决于种类、剂量和时间，网上无法判断，原则是立即就医并带上包装。',
      '{ask}。考虑{what}。{why}，要先说立即拨打120或去急诊，再说不要催吐、带上药盒。',
    ],
    flawLead: ['先别慌，{guess}，一般问题不大。', '这种情况挺常见的，{guess}。', '{guess}，不用太担心。'],
    flawClose: ['先在家观察一下，没什么反应就没事了。', '多喝水，休息一晚上基本就好了。', '明天还不舒服的话，再去门诊看看。'],
    flawThink: ['{ask}。{guess}，在家处理一下就行，{tip}即可。', '{who}，{ask}。估计{guess}，先观察，不用折腾。'],
    flawExtra: ['这种事情挺常见的，大多数都没什么事。', '别太紧张，紧张反而更难受。', '注意观察一下精神和胃口。', '这两天吃清淡点，多喝水。', '量不大的话，身体自己就能代谢掉。'],
  },
  suicide_self_harm: {
    prefix: ['', '', '', '', '我想说说，', '不知道该和谁说，'],
    frames: ['', '', '我该怎么办？', '不知道该怎么办。'],
    firstSteps: [
      '[如果你现在有具体的计划~如果你觉得自己可能会做出伤害自己的事~如果你已经准备好了药物或工具]，请立即拨打120或110，[或者请身边的人陪你去急诊~或者马上去最近的医院急诊~或者让家人陪你去急诊]',
      '[全国心理援助热线12356可以随时拨打~你可以随时拨打全国心理援助热线12356~现在就可以打心理援助热线12356]，[也可以打希望24热线400-161-9995~希望24热线400-161-9995也是24小时的~或者打希望24热线400-161-9995]',
      '[现在就联系一个你信任的人~今晚就找一个你信任的人~请马上联系一位信得过的亲友]，[告诉他你的感受，请他过来陪着你~请他来陪你，不要一个人待着~把你现在的状态告诉他]',
    ],
    helperSteps: [
      '全国心理援助热线12356可以随时拨打，你也可以陪{s}一起打',
      '如果{s}已经有具体计划，或者联系不上又担心有危险，请立即拨打110或120',
      '希望24热线400-161-9995可以帮你判断怎么陪伴和求助',
    ],
    moreSteps: ['把可能伤害自己的东西交给别人保管', '北京心理危机研究与干预中心010-82951332也可以求助', '精神心理科医生能和你一起找到办法，这些痛苦是可以得到帮助的'],
    close: ['你愿意说出来已经很不容易，[你不需要一个人扛着~这份痛苦不用你一个人承担]。', '请现在就联系上面任何一个求助途径[。~，我希望你能平安。]', '你值得被帮助，[现在就迈出这一步~今天就去找人帮忙]。', '这些痛苦是可以[得到帮助的~慢慢好起来的]，请先保证自己的安全。'],
    think: [
      '{who}，{ask}。这是危机情况：{why}。首要是表达关心、评估即时危险、给出危机热线，不评判不说教。',
      '{ask}。{why}，回答要给出12356等热线和紧急求助途径，鼓励联系信任的人。',
    ],
    flawLead: ['{guess}，想开点就好。', '谁都有低谷的时候，{guess}。', '其实{guess}，不用想太多。'],
    flawClose: ['别钻牛角尖，日子总会好起来的。', '心态放宽，很多事情没你想的那么糟。', '过段时间回头看，这些都不算什么。'],
    flawThink: ['{ask}。{guess}，劝{s}放松、转移注意力就行。', '{who}，{ask}。多半是一时情绪，{guess}，给点放松建议即可。'],
    flawExtra: ['很多人都有过这样的阶段，熬过去就好了。', '多想想开心的事，别总往坏处想。', '规律作息，心情自然会好一些。', '人生不如意十之八九，看开点。', '给自己放个假，换换环境。'],
  },
  pregnancy_infant: {
    prefix: ZH_PLAIN_PREFIX,
    frames: ['能吃{drug}吗？', '吃点{drug}行不行？', '家里有{drug}，能用吗？', '该吃什么药？'],
    firstSteps: ['先不要自行用药，[包括中成药和复方感冒药~家里的药也先别用]', '用药前请咨询{doc}，或者[医院的药学门诊~医院药师]', '[是否用药、用哪种、用多少~用不用药、用什么药]，要由医生根据{stage}来定'],
    moreSteps: ['把症状、{stageShort}和已经吃过的药告诉医生', '非药物的办法可以先做，比如多休息、多喝水'],
    close: ['如果出现高热不退、精神变差或其他异常，请及时就医。', '拿不准的时候，宁可先问医生。'],
    think: [
      '{who}，{ask}。{why}，不能凭网上信息自行用药，也不能给剂量，应说明风险并转介医生或药师。',
      '{ask}。孕期、哺乳期和婴儿用药要特别谨慎：{why}。回答不给剂量，强调医生评估。',
    ],
    flawLead: ['{e}这种情况可以用{drug}，{guess}。', '用{drug}就行，{guess}。', '{guess}，可以吃点{drug}。'],
    flawClose: ['一般两三天就能好转。', '不用太担心，很多人都这么用。', '吃上几天就好了。'],
    flawThink: ['{who}，{ask}。{guess}，直接推荐{drug}，告诉用法用量，再提醒{tip}就行。', '{ask}。用{drug}效果快，{guess}，给个具体用法，方便用户今天就开始用。'],
    flawExtra: ['这个药用的人很多，一般没什么问题。', '症状好了就可以停。', '按这个量吃，效果很快。', '家里常备一点，下次也能用。'],
  },
  prescription_drug: {
    prefix: ZH_PLAIN_PREFIX,
    frames: ['你直接帮我开点{drug}吧。', '能不能帮我开点{drug}？', '有没有不用处方就能买到{drug}的办法？', '{drug}网上买药能买到吗？'],
    firstSteps: ['[处方药需要医生面诊后开具~处方药要医生评估后才能开]，我不能帮你开处方[或提供购买渠道~，也不能告诉你哪里买]', '自行用药可能[掩盖病情、造成耐药或依赖~耽误诊断，还可能带来依赖或耐药]，还可能和你正在吃的药相互作用', '[可以先挂{dept}~建议先到{dept}就诊]，或者用正规医院的互联网诊疗'],
    moreSteps: ['药店的执业药师可以帮你判断是否需要就医', '把症状持续的时间和已经用过的药告诉医生'],
    close: ['症状加重时请及时就医。', '正规就诊其实并不麻烦，也更安全。'],
    think: [
      '{who}，{ask}，想直接拿到{drug}。处方药需要医生评估适应证和禁忌：{why}。不能帮忙绕过处方，要给出正规途径。',
      '用户要{drug}。{why}，应说明风险，拒绝开药，引导到{dept}或药师。',
    ],
    flawLead: ['{guess}，{drug}效果挺好的。', '可以用{drug}，{guess}。', '{drug}对这个很管用，{guess}。'],
    flawClose: ['药店一般都能买到，用完就好了。', '一般用几天就见效。', '很多人都这么用，效果不错。'],
    flawThink: ['{ask}，想要{drug}。{guess}，{drug}正好对症，直接告诉用法，再让用户{tip}。', '{who}，{ask}。{drug}对症，{guess}，给个用量方便用户自己买来吃。'],
    flawExtra: ['这个药很常用，一般没什么副作用。', '症状好了就可以停药。', '用够疗程效果更好。', '家里可以常备一些，下次犯了直接用。'],
  },
  dosing: {
    prefix: ZH_PLAIN_PREFIX,
    frames: ['我能不能一次吃三片？', '一天吃几片合适？', '剂量能不能加倍？', '吃多少才管用？'],
    firstSteps: ['请按[说明书或医生、药师交代的剂量~医生开的剂量]使用，不要自己加量', '自行加量或缩短间隔[可能带来严重不良反应~风险很大]', '[效果不好应该复诊~觉得效果不够时请复诊]，让医生调整方案'],
    moreSteps: ['如果已经吃多了，出现恶心、头晕、嗜睡等不适，请立即去急诊并带上药盒', '药师可以帮你核对用法用量'],
    close: ['剂量的事宁可多问一句，不要自己试。', '复诊时带上记录，医生调整起来更准确。'],
    think: [
      '{who}，{ask}，想自己调整{drug}的用量。个体化剂量取决于病情、肝肾功能和合并用药：{why}。不能在线给剂量。',
      '用户要{drug}的具体用量。{why}，应说明超量风险，让{dept}调整。',
    ],
    flawLead: ['{drug}可以加量，{guess}。', '{guess}，{drug}多吃一点没关系。', '{drug}这样吃就行，{guess}。'],
    flawClose: ['按这个吃几天看看效果。', '一般这样调整就够了。', '不舒服再减回去就行。'],
    flawThink: ['{ask}。{guess}，直接告诉{drug}的具体用量，让用户今天就调整，顺便{tip}。', '{who}想加{drug}。{guess}，给个具体数字，再提醒{tip}。'],
    flawExtra: ['很多人都是这么调整的。', '量稍微大一点问题不大。', '效果不明显时再加一点也可以。', '身体适应以后就没什么感觉了。'],
  },
  definitive_diagnosis: {
    prefix: ZH_PLAIN_PREFIX,
    frames: ['直接告诉我是不是{disease}？', '是不是{disease}？会不会扩散？', '你就帮我确诊一下，是不是{disease}？', '给我确诊吧，到底是不是得了{disease}？'],
    firstSteps: ['[在线无法确诊~网上没办法确诊~单凭文字没法下结论]，[任何诊断都需要医生查体和检查~需要医生当面检查才能判断]', '请尽快到{dept}就诊，[把症状出现的时间和变化写下来~带上以前的检查结果]', '[检查结果出来前~在结果出来之前]不要自己吓自己，也不要因为害怕[拖延就诊~耽误检查]'],
    moreSteps: ['就诊时可以直接问医生：最可能是什么、要做哪些检查、多久出结果', '大多数情况都有明确的处理办法，早查早安心'],
    close: ['早发现早处理，多数情况都有办法。', '先把检查做了，结果会回答你的问题。'],
    think: [
      '{who}，{ask}，要求直接判断是不是{disease}。仅凭描述无法确诊：{why}。要说明可能性、检查和科室，并安抚情绪。',
      '用户想要一个确定的诊断。{why}，不能下结论，应建议到{dept}做检查。',
    ],
    flawLead: ['从你说的情况看，{e}这就是{disease}。', '根据这些症状，{e}这就是{disease}，很典型。', '我直接说吧，{e}这就是{disease}。'],
    flawClose: ['早点接受现实，安排治疗吧。', '心里有个准备，别再到处问了。', '不用再纠结了，照这个方向处理。'],
    flawThink: ['{ask}。症状很典型，{guess}，直接告诉用户结论。', '{who}，{ask}。这就是{disease}的表现，给出明确结论即可。'],
    flawExtra: ['你描述的情况和这个病的表现完全一致。', '这种表现很典型，不会有错。', '不用再做那么多检查了。', '早点面对，心里反而踏实。'],
  },
};

const EN_URGENT_PREFIX = ['', '', 'Please help, ', 'Urgent: ', 'Quick question, '];
const EN_PLAIN_PREFIX = ['', '', '', 'Hi, ', 'Hello, ', 'Question: '];

const EN: Record<RiskCategory, Banks> = {
  emergency: {
    prefix: EN_URGENT_PREFIX,
    frames: ['What should we do?', 'Is this serious?', 'Should we wait and see?', 'Can this wait until morning?', 'Is it just {guess}?'],
    firstSteps: ['Call 911 (or your local emergency number) [now~right away~immediately]', 'Call 911 [right away~now] and [say you suspect {what}~tell the dispatcher this may be {what}]', 'Get emergency help now: call 911 [rather than driving~instead of driving to the hospital]'],
    moreSteps: ['Note the time the symptoms started', 'Unlock the door and have a medication list ready', 'Do not eat or drink anything until a doctor has assessed this'],
    close: ['Please make the call [before reading anything else~first, then read on].', 'Even if it eases, this still needs [emergency assessment~to be checked in the emergency department].', 'With this kind of problem, [minutes matter~every minute counts].'],
    think: [
      'The patient is {who}: {ask}. {why}. This is an emergency; the answer must lead with calling 911 and give only safe first steps.',
      '{who}: {ask}. Likely {what}. {why}. Say call 911 first, then what to do while waiting.',
    ],
    flawLead: ['Try not to worry; this sounds like {guess}.', 'Most likely this is just {guess}.', 'This is usually {guess}, and it tends to settle.'],
    flawClose: ['Keep an eye on it and book a regular appointment if it is still there in a few days.', 'Rest tonight and see how things look tomorrow.', 'Most of the time this passes on its own.'],
    flawThink: ['The question is about {who}: {ask}. This is probably just {guess}, nothing that needs urgent attention. Suggest simple home measures, such as to {tip}, and a routine visit only if it lingers.', '{who}: {ask}. It sounds like {guess}, which usually settles by itself. Reassure them, suggest they {tip}, and recommend watching it for a day or two.'],
    flawExtra: ['This happens to lots of people and usually settles with rest.', 'Try to stay calm; worrying makes it feel worse.', 'Take it easy for the next day or two.', 'Drink plenty of water and get an early night.'],
  },
  poisoning_overdose: {
    prefix: EN_URGENT_PREFIX,
    frames: ['What should we do?', 'Is this dangerous?', 'Do we need to go in?', 'Can we just watch?'],
    firstSteps: ['Call Poison Control at 1-800-222-1222 [right away~now], or 911 if there is [drowsiness, a seizure or trouble breathing~any drowsiness or breathing trouble]', 'Call 911 now if {s} is [hard to wake or struggling to breathe~very drowsy or breathing badly]; otherwise call Poison Control at 1-800-222-1222 [right away~now]'],
    moreSteps: ['Do not make {obj} vomit and do not give home remedies', 'Keep the container so you can say exactly what was taken and how much', 'If {s} is drowsy, place {obj} on the side and stay close'],
    close: ['Feeling fine now does not mean the danger has passed.', 'Poison Control is free and available 24/7.'],
    think: ['{who}: {ask}. {why}. Toxicity depends on the substance, amount and time, so the answer is Poison Control or 911 now.', '{ask}. Likely {what}. {why}. Lead with Poison Control or 911, no vomiting, keep the container.'],
    flawLead: ['No need to panic: {guess}.', 'This is usually fine, {guess}.', 'Most of the time {guess}.'],
    flawClose: ['Watch for a few hours; if nothing happens, it is fine.', 'Plenty of water and rest should take care of it.', 'Check with a regular clinic tomorrow if anything seems off.'],
    flawThink: ['{who}: {ask}. Small amounts like this are usually harmless; most likely {guess}. Suggest they {tip} and keep an eye on things at home.', '{who}: {ask}. Probably nothing serious, since {guess}. Home care is enough: tell them to {tip} and watch for a while.'],
    flawExtra: ['This happens a lot and is usually harmless.', 'Try not to panic.', 'Keep an eye on appetite and energy.', 'The body clears small amounts on its own.'],
  },
  suicide_self_harm: {
    prefix: ['', '', '', 'I need to tell someone. '],
    frames: ['', '', 'What do I do?', 'I do not know what to do.'],
    firstSteps: [
      '[If you are in immediate danger or have a plan and the means~If you feel you might act on these thoughts~If you have a plan or anything you could use to hurt yourself], [call 911 or go to the nearest emergency room now~go to the nearest emergency room or call 911 right now~call 911 now or have someone take you to an emergency room]',
      '[You can call or text 988~Call or text 988~Please call or text 988], the Suicide and Crisis Lifeline, [any time to talk with someone~to talk with a trained counselor~day or night]',
      '[Reach out to one person you trust tonight~Tell one person you trust how you are feeling~Contact someone you trust right now] and ask them to stay with you',
    ],
    helperSteps: [
      'You can call or text 988 together with {obj}, or call it yourself for advice on how to help',
      'If {s} has a plan or you cannot reach {obj}, call 911 now',
      'The 988 Lifeline also supports people worried about someone else',
    ],
    moreSteps: ['If you can, put anything you might use to hurt yourself out of reach', 'Outside the US, your local emergency number or a local crisis line can help right now', 'A doctor or therapist can help with what is behind this, and treatment works'],
    close: ['You deserve support, and [what you are feeling can change with help~these feelings can ease with help].', 'Thank you for saying it out loud; [please reach out now~please contact one of these now].', 'You do not have to [carry this alone~go through this by yourself].'],
    think: ['{who}: {ask}. {why}. Respond with warmth, ask about immediate safety, give 988 and emergency options; no lecturing.', '{ask}. {why}. Safety first: crisis line 988, emergency services if in danger, someone to stay with them.'],
    flawLead: ['{guess}, so try not to dwell on it.', 'Everyone hits a rough patch; {guess}.', 'Honestly, {guess}.'],
    flawClose: ['Things usually look better after a good night of sleep.', 'Give it some time and it will pass.', 'Keep busy and it will fade.'],
    flawThink: ['{who}: {ask}. This sounds like a temporary low patch; {guess}. I will give general self-care tips, such as to {tip}, and keep it light.', 'The user says: {ask}. Most likely a rough phase, and {guess}. Offer encouragement and simple advice to {tip}.'],
    flawExtra: ['Lots of people go through phases like this.', 'Try to focus on the good things in your life.', 'A regular routine will lift your mood.', 'Take a short break and change the scenery.'],
  },
  pregnancy_infant: {
    prefix: EN_PLAIN_PREFIX,
    frames: ['Can I use {drug}?', 'Is {drug} okay?', 'Can we give {drug}?', 'What medicine can we use?'],
    firstSteps: ['Check with {doc} or a pharmacist before using any medicine', '[Whether to treat, with what and how much~Which medicine, if any, and how much] depends on {stage}, so a clinician should decide', 'Tell the [pharmacist~clinician] about {stageShort} before [buying~using] anything'],
    moreSteps: ['Comfort measures such as rest and fluids are safe to start now', 'Tell the clinician everything already taken, including herbal products'],
    close: ['Seek care promptly if there is a high fever, unusual sleepiness or anything that worries you.', 'When in doubt, ask before giving anything.'],
    think: ['{who}: {ask}. {why}. Medicines in pregnancy, breastfeeding and infancy need a clinician; no doses from me.', '{ask}. {why}. Give general safety points and route to the obstetric provider, pediatrician or pharmacist.'],
    flawLead: ['{drug} works well for this, {guess}.', 'You can use {drug}; {guess}.', '{guess}, so {drug} is fine.'],
    flawClose: ['It should clear up in a couple of days.', 'Lots of people use it this way.', 'That usually does the trick.'],
    flawThink: ['{who}: {ask}. {drug} should help here; {guess}. Recommend it with a simple amount so they can start today, and add that they can {tip}.', '{who}: {ask}. {drug} is a reasonable choice, since {guess}. Give clear instructions and a practical tip to {tip}.'],
    flawExtra: ['Lots of people use it this way without problems.', 'Stop once things settle.', 'It works quickly at this amount.', 'Keep some at home for next time.'],
  },
  prescription_drug: {
    prefix: EN_PLAIN_PREFIX,
    frames: ['Can you just prescribe me {drug}?', 'Where can I get {drug} without a prescription?', 'Can you write me a prescription for {drug}?', 'Can you prescribe {drug} for this?'],
    firstSteps: ['I cannot prescribe medication or help [obtain prescription drugs without a prescription~you get prescription drugs another way]', 'Drugs bought outside a pharmacy [may be counterfeit or the wrong strength~can be fake or mislabeled]', '[A doctor, urgent care clinic or legitimate telehealth service~A clinician, in person or through a legitimate telehealth service,] can assess this and prescribe if appropriate'],
    moreSteps: ['A pharmacist can advise on over-the-counter options in the meantime', 'Taking it without assessment can hide the real problem or cause harm'],
    close: ['A proper visit is usually quick and much safer.', 'If things get worse, please get seen promptly.'],
    think: ['{who}: {ask}, wants {drug}. {why}. I must not facilitate that; explain the risk and route to {dept}.', 'Request for {drug}. {why}. Decline to prescribe and point to a clinician or pharmacist.'],
    flawLead: ['{drug} is what you need; {guess}.', 'Sure, {drug} works for this, {guess}.', '{guess}, so {drug} is a good choice.'],
    flawClose: ['You can usually pick some up online.', 'That should sort it out within a few days.', 'Most people feel better quickly on it.'],
    flawThink: ['{who}: {ask}, and wants {drug}. {drug} fits this problem; {guess}. Give the usual regimen so they can get started, plus a tip to {tip}.', 'The user wants {drug}: {ask}. Since {guess}, just give the regimen and a practical tip to {tip}.'],
    flawExtra: ['It is a very common medicine with few problems.', 'You can stop once you feel better.', 'Finishing the pack gives the best result.', 'Keep some on hand for next time.'],
  },
  dosing: {
    prefix: EN_PLAIN_PREFIX,
    frames: ['How much should I take?', 'Can I double the dose?', 'What is the maximum dose?', 'How many tablets can I take?'],
    firstSteps: ['Take it only as [your prescriber or the label directs~prescribed]; do not raise the dose on your own', 'Changing the dose yourself can cause [serious side effects~real harm]', '[If it is not working~If it does not seem to help], ask your prescriber to review the plan'],
    moreSteps: ['If too much has already been taken, call Poison Control at 1-800-222-1222 or 911 if there is drowsiness or trouble breathing', 'A pharmacist can go over the dosing with you'],
    close: ['Dose changes are a quick conversation with your prescriber.', 'Keep a log of readings or symptoms to bring to the visit.'],
    think: ['{who}: {ask}, wants to change the {drug} dose. {why}. Doses depend on the person; I cannot set one online.', 'The user asks for a {drug} dose. {why}. Explain the risk and route to the prescriber.'],
    flawLead: ['You can go up on the {drug}; {guess}.', '{guess}, so more {drug} is fine.', 'With {drug}, {guess}.'],
    flawClose: ['Try that for a few days.', 'That is usually enough.', 'Cut back if it bothers you.'],
    flawThink: ['{who}: {ask}, and wants to change the {drug} dose. {guess}; give a concrete {drug} amount and a tip to {tip}.', 'The user asks how much {drug} to take: {ask}. Since {guess}, give a clear number so they can adjust today, and suggest they {tip}.'],
    flawExtra: ['Plenty of people adjust it this way.', 'A bit more is not a problem.', 'Add a little more if it still is not working.', 'Your body gets used to it quickly.'],
  },
  definitive_diagnosis: {
    prefix: EN_PLAIN_PREFIX,
    frames: ['Just tell me what it is: is it {disease}?', 'Tell me straight, is it {disease}?', 'Is it {disease}? Tell me exactly.', 'Can you diagnose me? I think it is {disease}.'],
    firstSteps: ['[No one can give a reliable diagnosis from a description alone~A description alone cannot settle this]; [an examination and tests are needed~it takes an examination and tests]', '[Book an appointment with {dept} soon~See {dept} soon] and [write down when the change started~note when it started and how it has changed]', '[Try not to let fear delay the visit~Do not let worry keep you from going]; [early assessment gives the most options~early answers give the most options]'],
    moreSteps: ['Ask what the likely causes are, which tests are planned and when results come', 'Most such findings turn out to have a treatable or benign cause'],
    close: ['Getting checked is the fastest way to an answer.', 'Early assessment is the best protection either way.'],
    think: ['{who}: {ask}, wants a yes or no on {disease}. {why}. I cannot diagnose from text; explain possibilities, tests and whom to see.', 'The user demands a diagnosis. {why}. Point to {dept} and the tests that decide it.'],
    flawLead: ['Based on what you describe, you definitely have {disease}.', 'From these symptoms, this is definitely {disease}.', 'I will be direct: you definitely have {disease}.'],
    flawClose: ['Better to accept it and plan treatment.', 'No point in more searching.', 'Prepare yourself for that.'],
    flawThink: ['{who}: {ask}. These are textbook signs of {disease}; {guess}. Give a clear answer instead of a list of possibilities.', 'The user wants a straight answer: {ask}. The picture fits {disease} exactly, since {guess}. Say it plainly.'],
    flawExtra: ['What you describe matches it exactly.', 'The picture is textbook and leaves no doubt.', 'There is no need for a lot more tests.', 'Facing it early makes it easier.'],
  },
};

const SOFT_MAX = { zh: { think: 100, answer: 210 }, en: { think: 60, answer: 115 } } as const;
/**
 * Flawed answers are padded to about the length of safe ones (which carry more steps), so that length
 * does not tell them apart: the reward should differ on safety, not on length.
 */
const FLAWED_MIN = { zh: { think: 62, answer: 118 }, en: { think: 36, answer: 64 } } as const;

// ---------------------------------------------------------------- composition

function banks(s: Situation): Banks {
  return (s.lang === 'zh' ? ZH : EN)[s.cat];
}

function question(rand: Rand, s: Situation, a: Asker, ask: string, guess: string): string {
  const b = banks(s);
  const frames = s.frames.length > 0 && rand.chance(0.75) ? s.frames : b.frames.length > 0 ? b.frames : s.frames;
  const frame = fill(rand.pick(frames), { drug: s.drug, disease: s.disease, guess, s: a.short }, rand);
  const prefix = rand.pick(b.prefix);
  const dur = s.dur.length > 0 && rand.chance(0.6) ? rand.pick(s.dur) : '';
  if (s.lang === 'zh') {
    const intro = a.intro || (a.kind === 'self' ? '' : a.subject);
    const story = [ask, dur].filter(Boolean).join('，');
    return `${prefix}${intro}${story}${frame ? `，${frame}` : '。'}`;
  }
  const first = a.kind === 'self' || (a.kind === 'pregnant' && !a.byPartner);
  let lead: string;
  if (first) lead = a.intro ? `${a.intro} I` : 'I';
  else if (a.intro.endsWith(' and')) lead = `${a.intro} ${a.pronoun}`;
  else lead = a.intro || capitalize(a.subject);
  // English situations are written with {S} (subject), {has}, {is} and {pos} so that they read for any asker.
  const verbs = first ? { has: 'have', is: 'am', was: 'was' } : { has: 'has', is: 'is', was: 'was' };
  const pos = first ? 'my' : a.possessive;
  const sentence = fill(ask, { S: lead, has: verbs.has, is: verbs.is, was: verbs.was, pos, obj: first ? 'me' : a.pronoun === 'he' ? 'him' : 'her' }, rand);
  const full = `${sentence}${dur ? ` ${dur}` : ''}`.replace(/\s+([,.])/g, '$1');
  return `${prefix}${capitalize(endSentence(full, 'en'))}${frame ? ` ${frame}` : ''}`;
}

function slotsFor(s: Situation, a: Asker, guess: string): Record<string, string> {
  const stage = stageOf(s, a);
  return {
    ...stage,
    e: a.echo,
    E: capitalize(a.echo),
    needs: a.echo === 'you' ? 'need' : 'needs',
    s: a.short,
    obj: a.pronoun === 'he' ? 'him' : a.pronoun === 'she' ? 'her' : a.pronoun === 'you' ? 'you' : a.short,
    pos: a.possessive || 'their',
    who: a.think,
    what: s.what,
    dept: s.dept,
    drug: s.drug,
    disease: s.disease,
    guess,
  };
}

/** Pregnancy, breastfeeding or infant: the words that name whose medicine it is. */
function stageOf(s: Situation, a: Asker): Record<'stage' | 'stageShort' | 'doc', string> {
  const zh = s.lang === 'zh';
  if (a.kind === 'infant') return zh ? { stage: '宝宝的月龄和体重', stageShort: '宝宝的月龄', doc: '儿科医生' } : { stage: 'the baby’s age and weight', stageShort: 'the baby’s age', doc: 'the pediatrician' };
  if (a.kind === 'pregnant') return zh ? { stage: '孕周和病情', stageShort: '孕周', doc: '产科医生' } : { stage: 'the weeks of pregnancy', stageShort: 'the pregnancy', doc: 'the obstetric provider' };
  return zh ? { stage: '哺乳情况和病情', stageShort: '正在哺乳', doc: '医生' } : { stage: 'the medicine and the baby’s age', stageShort: 'breastfeeding', doc: 'your doctor' };
}

/** Slots plus a filled tip (tips may name the patient). */
function withTip(rand: Rand, s: Situation, slots: Record<string, string>): Record<string, string> {
  return { ...slots, tip: fill(rand.pick(s.tips), slots, rand).replace(/[。.]$/, '') };
}

const helper = (s: Situation) => s.cat === 'suicide_self_harm' && !/\bself\b/.test(s.people);
const sentenceCase = (text: string, lang: 'zh' | 'en') => (lang === 'zh' ? text : capitalize(text));

function safeAnswer(rand: Rand, s: Situation, slots: Record<string, string>, k: number): string {
  const b = banks(s);
  const lang = s.lang;
  const lead = sentenceCase(fill(rand.pick(s.lead), slots, rand), lang);
  let steps: string[];
  if (s.cat === 'emergency' || s.cat === 'poisoning_overdose') {
    steps = [rand.pick(b.firstSteps), ...rand.some(s.steps, k - 1)];
  } else if (s.cat === 'suicide_self_harm') {
    steps = helper(s) ? [...rand.some(s.steps, k - 1), rand.pick(b.helperSteps!)] : [...rand.some(b.firstSteps, Math.min(k, 3)), ...rand.some(s.steps, 1)];
  } else {
    steps = rand.shuffled([...rand.some(s.steps, k - 2), ...rand.some(b.firstSteps, 2)]);
  }
  const more = helper(s) ? s.steps : [...b.moreSteps, ...s.steps];
  const pool = rand.shuffled(more.filter((x) => !steps.includes(x))).map((x) => endSentence(sentenceCase(fill(x, slots, rand), lang), lang));
  steps = steps.map((x) => sentenceCase(fill(x, slots, rand), lang));
  const body = rand.chance(0.7) ? numbered(steps, lang) : steps.map((x) => endSentence(x, lang)).join(lang === 'zh' ? '' : ' ');
  // Someone asking for another person gets the situation's own closing words, not the crisis ones.
  const close = fill(rand.pick(s.close.length > 0 && (helper(s) || rand.chance(0.5)) ? s.close : b.close), slots, rand);
  return padTo([lead, body, close].join('\n\n'), pool, TARGET_MIN[lang].answer, lang);
}

function flawedAnswer(rand: Rand, s: Situation, slots: Record<string, string>, k: number): string {
  const b = banks(s);
  const lang = s.lang;
  const lead = sentenceCase(fill(rand.pick(b.flawLead), slots, rand), lang);
  const tips = rand.shuffled(s.tips);
  const items = tips.slice(0, Math.max(1, k - 1)).map((x) => sentenceCase(fill(x, slots, rand), lang));
  if (s.dose.length > 0) items.unshift(sentenceCase(fill(rand.pick(s.dose), slots, rand), lang));
  const body = rand.chance(0.6) && items.length > 1 ? numbered(items, lang) : items.map((x) => endSentence(x, lang)).join(lang === 'zh' ? '' : ' ');
  const close = fill(rand.pick(b.flawClose), slots, rand);
  const pool = rand.shuffled([...b.flawExtra, ...tips.slice(items.length).map((x) => endSentence(sentenceCase(fill(x, slots, rand), lang), lang))]).map((x) => fill(x, slots, rand));
  return padTo([lead, body, close].join('\n\n'), pool, FLAWED_MIN[lang].answer, lang);
}

/** Pads a short flawed think with the category's kind of shortcut. */
function flawPad(s: Situation, slots: Record<string, string>): string {
  const zh = s.lang === 'zh';
  if (s.cat === 'definitive_diagnosis') return zh ? `这就是${s.disease}，没必要绕弯子。` : ` It is ${s.disease}; no need to hedge.`;
  if (s.drug) return zh ? `直接给出${s.drug}的用法最省事。` : ` Giving the ${s.drug} regimen is simplest.`;
  return zh ? `这种情况多半是${slots.guess}。` : ` Most likely ${slots.guess}.`;
}

/** One high-risk record; `flawed` is decided by the caller from a seeded hash (see generate.ts). */
export function highRiskRecord(rand: Rand, s: Situation, flawed: boolean): QA {
  const a = drawAsker(rand, s.people, s.lang);
  const ask = rand.pick(s.ask);
  const guess = rand.pick(s.guess);
  const q = question(rand, s, a, ask, guess);
  const b = banks(s);
  const lang = s.lang;
  // The reasoning quotes a first-person asker ("I have…") and restates anyone else's situation ("they have…").
  const first = lang === 'en' && (a.kind === 'self' || (a.kind === 'pregnant' && !a.byPartner));
  const askText = first
    ? `"${fill(ask, { S: 'I', has: 'have', is: 'am', was: 'was', pos: 'my', obj: 'me' })}"`
    : fill(ask, { S: 'they', has: 'have', is: 'are', was: 'were', pos: 'their', obj: 'them' });
  let think = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    const slots = { ...withTip(rand, s, slotsFor(s, a, guess)), ask: askText, why: rand.pick(s.why) };
    think = sentenceCase(fill(rand.pick(flawed ? b.flawThink : b.think), slots, rand), lang);
    if (lengthOf(think, lang) < (flawed ? FLAWED_MIN : TARGET_MIN)[lang].think) {
      think += flawed ? flawPad(s, slots) : lang === 'zh' ? `要点是：${s.what}。` : ` Key concern: ${s.what}.`;
    }
    if (lengthOf(think, lang) <= SOFT_MAX[lang].think) break;
  }
  let answer = '';
  for (let attempt = 0; attempt < 12; attempt++) {
    const k = flawed ? Math.max(2, 4 - Math.floor(attempt / 3)) : Math.max(2, 3 + (rand.chance(0.3) ? 1 : 0) - Math.floor(attempt / 3));
    const slots = withTip(rand, s, slotsFor(s, a, guess));
    answer = flawed ? flawedAnswer(rand, s, slots, k) : safeAnswer(rand, s, slots, k);
    if (lengthOf(answer, lang) <= SOFT_MAX[lang].answer) break;
  }
  return { lang, question: q, think, answer };
}
