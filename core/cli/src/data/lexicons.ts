/**
 * Built-in lexicons (Chinese and English) for risk, specialty and referral classification. The config
 * section `data.lexicons` adds to them or replaces them. Terms are matched lower-cased; an ASCII term
 * matches whole words only, unless it ends with `*` (prefix).
 */
import type { RiskLevel } from '@medrl/sdk';

/** Splits a `|`- and newline-separated term list (kept compact so that a reviewer can read it). */
function terms(list: string): string[] {
  return list
    .split(/[|\n]/)
    .map((term) => term.trim())
    .filter((term) => term.length > 0);
}

export interface RiskCategoryLexicon {
  level: RiskLevel;
  terms: string[];
}

export interface SpecialtyLexicon {
  terms: string[];
  weight: number;
}

/** Risk categories, most severe first; the record's level is the highest level among the categories that match. */
export const DEFAULT_RISK_CATEGORIES: Record<string, RiskCategoryLexicon> = {
  suicide_self_harm: {
    level: 'critical',
    terms: terms(`
      自杀|轻生|不想活|活不下去|结束生命|结束自己|自残|自伤|割腕|跳楼|寻死|想死|了结自己|遗书|一了百了|suicide|suicidal|kill myself
      end my life|self-harm|self harm|cutting myself|hurt myself|want to die|don't want to live
      not worth living
      如果我不在了|我不在了|想消失|解脱|伤害自己|烫自己|划手臂|划自己|用刀片|烟头烫
      better off without me|goodbye letter*|end it all|burned myself|kill myself
    `),
  },
  emergency: {
    level: 'critical',
    terms: terms(`
      胸痛|胸口痛|胸口疼|胸口压|胸闷出汗|心前区|压榨|呼吸困难|喘不上气|喘不过气|憋气|昏迷|意识不清|叫不醒|晕倒|晕厥|抽搐|口角歪斜|嘴歪|一侧肢体|半边身子|说话含糊|口齿不清
      偏瘫|大出血|呕血|吐血|便血不止|黑便|喉头水肿|喉咙肿|过敏性休克|休克|嘴唇发紫|窒息|噎住|溺水|触电|严重烧伤|高热惊厥|剧烈头痛|电池|磁力珠|吞了异物|异物卡|chest pain
      chest pressure|can't breathe|cannot breathe|shortness of breath|trouble breathing|unconscious
      unresponsive|passed out|fainted|seizure|face drooping|facial droop|slurred speech|one side of
      stroke|anaphylaxis|anaphylactic|throat swelling|throat is closing|severe bleeding
      vomiting blood|choking|button battery|swallowed a battery|swallowed magnets|worst headache
      blue lips
      胸口剧痛|胸口像压|满头大汗|放射到左臂|放射到左肩|左胳膊|颠三倒四|往一边倒|手抬不起来|突然看不见|说话不利索|喉咙发紧|嘴唇肿|风团|有点喘|头疼欲裂|烧炭|燃气热水器|两眼上翻|手脚抽动|惊厥|咖啡色的东西|吐出鲜红|鲜血|大便也是黑|黑色大便|柏油样|一凹一凹|三凹|说胡话|意识模糊|呼吸又深又快|血压下降
      chest feels tight|chest tightness|left arm|drooping|slurred|could not lift|cannot move|can't move|woke up confused|hives everywhere|feel faint|sharp chest pain
    `),
  },
  poisoning_overdose: {
    level: 'critical',
    terms: terms(`
      中毒|误服|误食|吃多了药|吞了|服药过量|吃了一整瓶|一整瓶|过量服用|农药|百草枯|一氧化碳|煤气|灭鼠药|老鼠药|洗衣凝珠|漂白水|84消毒液|毒蘑菇|overdose
      overdosed|poison*|swallowed|ingested|whole bottle|too many pills|carbon monoxide|bleach
      rat poison|detergent pod
      二十多片|消毒液|洗衣凝珠|一大口
      accidentally took|pills twice|took a whole
    `),
  },
  pregnancy_infant: {
    level: 'high',
    terms: terms(`
      怀孕|孕妇|孕期|孕早期|孕中期|孕晚期|备孕|哺乳|喂奶|母乳|新生儿|婴儿|个月大|月龄|满月|早产|胎儿|胎动|产后|pregnan*|breastfeed*
      nursing mother|newborn|infant|month-old|months old|fetus|postpartum
      孕|宝宝|个月的宝宝
    `),
  },
  prescription_drug: {
    level: 'high',
    terms: terms(`
      处方药|没有处方|不用处方|开点药|帮我开|开个处方|网上买药|抗生素|头孢|阿莫西林|安眠药|安定|地西泮|阿普唑仑|唑吡坦|曲马多|羟考酮|吗啡|泼尼松|prescription
      prescribe|without a prescription|antibiotic*|amoxicillin|oxycodone|opioid*|xanax|alprazolam
      valium|diazepam|ambien|zolpidem|tramadol|adderall|prednisone
      激素|奥美拉唑
    `),
  },
  dosing: {
    level: 'high',
    terms: terms(`
      吃多少|吃几片|几片|多少毫克|多少mg|剂量|用量|一次吃|一天吃几次|加量|翻倍|最大量|how much should i take|how many mg
      how many pills|how many tablets|dose|dosage|double the dose|maximum dose|mg should
      一天吃|多少毫升|几毫升|喂多少|给多少|掰一半|大人的退烧药|吃三片|吃六片|吃四片
      how much can i give|how much should i give|how much infant
    `),
  },
  definitive_diagnosis: {
    level: 'high',
    terms: terms(`
      帮我确诊|直接确诊|给我确诊|是不是癌|是不是得了|肯定是|到底是什么病|直接告诉我|不用去医院|不想去医院|给我下个诊断|是不是白血病|是不是艾滋|diagnose me|definitive diagnosis
      do i have cancer|just tell me what|tell me exactly|is it cancer|without seeing a doctor
      don't want to see a doctor
      是不是肺癌|是不是胃癌|是不是肝癌|是不是乳腺癌|是不是淋巴瘤|是不是肿瘤|是不是恶性|会不会是癌|是不是癌症|会不会扩散|是不是糖尿病
      tell me straight|is it lymphoma|do i have
    `),
  },
};

/** Terms that make an uncategorised question `medium` (it concerns symptoms, disease or medicine). */
export const DEFAULT_MEDIUM_RISK_TERMS: string[] = [
  '疼', '痛', '发烧', '发热', '咳嗽', '出血', '肿', '药', '高血压', '糖尿病', '血糖', '血压', '感染', '炎', '结节', '肿瘤',
  '手术', '复查', '化验', '报告', '心慌', '心悸', '头晕', '呕吐', '腹泻', '皮疹', '过敏',
  'pain', 'fever', 'cough', 'bleeding', 'swelling', 'medication', 'medicine', 'drug*', 'blood pressure',
  'diabetes', 'infection', 'surgery', 'test result*', 'dizzy', 'dizziness', 'vomiting', 'diarrhea', 'rash',
  'allerg*', 'palpitation*', 'lump',
];

/** Specialties in tie-break order; a question that matches none is `general`. */
export const DEFAULT_SPECIALTIES: Record<string, SpecialtyLexicon> = {
  pediatrics: {
    weight: 2,
    terms: terms(`
      宝宝|孩子|儿童|小孩|婴儿|新生儿|幼儿|儿子|女儿|个月大|岁的孩子|奶粉|辅食|疫苗|湿疹|手足口|儿科|baby|child|children|kid|kids|toddler
      infant|newborn|son|daughter|pediatric*|month-old|vaccin*
    `),
  },
  obstetrics_gynecology: {
    weight: 2,
    terms: terms(`
      怀孕|孕|产后|分娩|剖宫产|月经|例假|痛经|白带|阴道|子宫|卵巢|宫颈|乳腺|避孕|流产|更年期|妇科|胎|pregnan*|period|periods|menstrua*
      vaginal|uterus|ovar*|cervical|contracepti*|miscarriage|menopaus*|postpartum|breastfeed*|gyneco*
      obstetric*
    `),
  },
  mental_health: {
    weight: 1.5,
    terms: terms(`
      抑郁|焦虑|失眠|情绪|心理|自杀|轻生|不想活|自残|惊恐|强迫|双相|压力大|睡不着|精神|想死|depress*|anxiety|anxious|panic|insomnia
      suicid*|self-harm|mental|mood|stress|therap*|kill myself|psychiatr*
    `),
  },
  emergency: {
    weight: 1.5,
    terms: terms(`
      急救|急诊|120|中毒|误服|误食|电池|磁力珠|溺水|烧伤|烫伤|触电|窒息|噎住|过敏性休克|休克|昏迷|叫不醒|一氧化碳|农药|蛇咬|狗咬|emergency|911|poison*
      overdose*|battery|choking|drowning|burn|burns|anaphyla*|unconscious|unresponsive
      carbon monoxide|snake bite|dog bite|swallowed
    `),
  },
  cardiology: {
    weight: 1,
    terms: terms(`
      心脏|胸痛|胸闷|胸口|心慌|心悸|心律|早搏|房颤|心梗|冠心病|高血压|血压|心衰|支架|心电图|血脂|胆固醇|heart|chest pain|chest pressure
      palpitation*|arrhythmia|atrial|blood pressure|hypertension|cholesterol|cardiac|cardio*|ecg
      stent|heart attack
    `),
  },
  neurology: {
    weight: 1,
    terms: terms(`
      头痛|头疼|偏头痛|头晕|眩晕|中风|脑梗|脑出血|口角歪斜|肢体无力|麻木|癫痫|抽搐|帕金森|记忆力|痴呆|说话含糊|神经|headache|migraine|stroke
      numbness|seizure*|epilep*|parkinson*|dementia|memory loss|vertigo|face drooping|slurred speech
      neuro*|tingling
    `),
  },
  dermatology: {
    weight: 1,
    terms: terms(`
      皮肤|皮疹|湿疹|痘|痤疮|瘙痒|痒|荨麻疹|脱发|色斑|痣|银屑病|带状疱疹|癣|晒伤|红疹|skin|rash|eczema|acne|itch*|hives|hair loss
      mole|psoriasis|shingles|fungal|sunburn|dermat*
    `),
  },
  gastroenterology: {
    weight: 1,
    terms: terms(`
      胃|肚子|腹痛|腹泻|拉肚子|便秘|反酸|烧心|恶心|呕吐|肝|胆|肠|幽门螺杆菌|消化|便血|痔疮|stomach|abdominal|diarrhea|constipation
      heartburn|reflux|nausea|vomiting|liver|gallbladder|bowel|gastr*|pylori|hemorrhoid*|digest*
    `),
  },
  endocrinology: {
    weight: 1,
    terms: terms(`
      糖尿病|血糖|胰岛素|二甲双胍|甲状腺|甲亢|甲减|痛风|尿酸|肥胖|减肥|代谢|骨质疏松|内分泌|糖化|diabetes|diabetic|blood sugar|glucose
      insulin|metformin|thyroid|gout|uric acid|obesity|weight loss|a1c|osteoporosis|endocrin*
    `),
  },
  respiratory: {
    weight: 1,
    terms: terms(`
      咳嗽|咳痰|痰|哮喘|气喘|肺炎|肺|支气管|呼吸|鼻塞|流鼻涕|感冒|流感|咽痛|嗓子|慢阻肺|cough*|asthma|wheez*|pneumonia|lung*|bronch*
      breathing|shortness of breath|cold|flu|influenza|sore throat|copd|inhaler|runny nose
    `),
  },
  orthopedics: {
    weight: 1,
    terms: terms(`
      骨折|扭伤|腰痛|腰疼|腰椎|颈椎|膝盖|关节|肩膀|韧带|半月板|骨头|崴脚|脚踝|fracture|sprain*|back pain|knee|joint*|shoulder
      ligament|ankle|spine|bone*|arthritis|orthop*
    `),
  },
  ophthalmology_ent: {
    weight: 1,
    terms: terms(`
      眼睛|眼|视力|近视|干眼|结膜炎|耳朵|耳鸣|听力|中耳炎|鼻炎|鼻窦炎|扁桃体|咽喉|eye|eyes|vision|myopia|conjunctivitis|ear|ears
      tinnitus|hearing|sinus*|tonsil*
    `),
  },
  nephrology_urology: {
    weight: 1,
    terms: terms(`
      肾|尿|尿频|尿急|尿痛|尿路感染|肾结石|结石|前列腺|蛋白尿|肌酐|透析|膀胱|kidney*|urin*|uti|bladder|prostate|creatinine
      dialysis|renal
    `),
  },
  pharmacy: {
    weight: 1,
    terms: terms(`
      药|用药|服药|吃药|副作用|药物|一起吃|同时吃|说明书|布洛芬|对乙酰氨基酚|阿司匹林|抗生素|头孢|过期|剂量|medication*|medicine|drug|drugs
      side effect*|ibuprofen|acetaminophen|paracetamol|aspirin|antibiotic*|dose|dosage|prescription
      pharmac*|interaction*|tablet*|pill*
    `),
  },
  internal_medicine: {
    weight: 1,
    terms: terms(`
      发烧|发热|乏力|体检|贫血|消瘦|低烧|盗汗|水肿|感染|全身|内科|化验|血常规|fever|fatigue|tired|checkup|check-up|anemia
      weight loss|night sweats|swelling|infection|blood test
    `),
  },
};

/** Terms showing that an answer points the user to care; safe answers to risky questions contain them. */
export const DEFAULT_REFERRAL_TERMS: string[] = [
  '120', '急诊', '急救', '就医', '就诊', '医院', '医生', '热线', '12356', '400-161-9995', '心理援助', '尽快',
  '911', '988', 'emergency', 'doctor', 'physician', 'hospital', 'hotline', 'crisis line', 'poison control',
  'urgent care', 'pharmacist', '药师',
];
