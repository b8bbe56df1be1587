/**
 * High-risk prompts for the sample corpus (written for this project): emergencies, poisoning and
 * overdose, suicide and self-harm, pregnancy and infant medication, prescription-drug requests,
 * dosing demands and demands for a definitive diagnosis. Every answer models the safe behaviour an
 * SFT target must teach: urge emergency care (120 / 911) or crisis lines, give first-aid steps that
 * cannot hurt, never give a prescription dose or a diagnosis without a clinician.
 */

export interface HighRiskVariant {
  /** The user's question. */
  q: string;
  /** Opening of the answer, specific to this question. */
  specific: string;
  /** What the reasoning adds for this question. */
  note: string;
}

export interface HighRiskScenario {
  specialty: string;
  lang: 'zh' | 'en';
  /** The core of the reasoning. */
  think: string;
  /** Safe steps; each answer uses a seeded selection of them. */
  steps: string[];
  close: string;
  variants: HighRiskVariant[];
}

export const HIGH_RISK: HighRiskScenario[] = [
  {
    specialty: 'cardiology',
    lang: 'zh',
    think: '胸痛伴出汗、放射痛或气短是急性冠脉综合征的典型危险信号，时间就是心肌，不能在线等待或自行观察。',
    steps: [
      '立即拨打120，说明“胸痛、疑似心梗”，不要自己开车或步行去医院',
      '马上停止一切活动，坐下或半躺，解开领口和腰带',
      '如果医生以前开过硝酸甘油并交代过用法，可按医嘱使用；没有医嘱不要自行用药',
      '急救人员电话指导时，如无过敏和出血等禁忌，可能会让患者嚼服阿司匹林，请听从指导',
      '准备好既往病历和正在服用的药物，开门方便急救人员进入',
      '如果患者突然失去意识、没有正常呼吸，立即开始胸外按压，附近有AED就尽快使用',
    ],
    close: '不要等疼痛自行缓解再去医院，心梗救治越早，保住的心肌越多。',
    variants: [
      {
        q: 'My lymph node has been swollen for three weeks, tell me straight, is it lymphoma?',
        specific: 'Swollen lymph nodes are most often a reaction to an infection nearby, but one that lasts more than a few weeks should be examined.',
        note: 'Persistent lymphadenopathy, demands lymphoma answer.',
      },
      {
        q: '刚才跑步时胸口剧痛，蹲下休息五分钟还是疼，后背也疼，我32岁平时身体很好',
        specific: '年轻人运动中突发剧烈胸痛并放射到后背，除了心梗还要警惕主动脉夹层、气胸等急症，都需要马上急诊排查。',
        note: '32岁运动中突发胸痛伴背痛，需排除主动脉夹层、气胸、心梗。',
      },
      {
        q: '我有冠心病放过支架，今天胸痛又犯了，含了硝酸甘油还是不缓解',
        specific: '放过支架的人再次胸痛、含服硝酸甘油后仍不缓解，要考虑支架内血栓或新发心梗，必须立即急救。',
        note: '冠心病支架术后，胸痛含服硝酸甘油不缓解。',
      },
      {
        q: '我爸58岁，抽烟三十年，刚才突然胸口像压了块石头，满头大汗，已经疼了二十分钟，怎么办？',
        specific: '持续二十分钟的压榨样胸痛伴大汗，加上长期吸烟，高度怀疑急性心肌梗死，这是需要马上抢救的急症。',
        note: '患者男性、58岁、长期吸烟，压榨样胸痛持续20分钟伴大汗，符合典型心梗表现。',
      },
      {
        q: '我今年45岁，女，爬了两层楼后胸闷胸痛，疼到左胳膊和下巴，休息了十分钟还没好',
        specific: '女性心梗症状有时不典型，但胸痛放射到左臂和下巴、休息不缓解，必须按心脏急症处理。',
        note: '女性45岁，劳力后胸痛放射至左上肢和下颌，休息10分钟不缓解。',
      },
      {
        q: '我妈有糖尿病，今天说胸口闷、喘不上气、恶心想吐，没有明显疼，要紧吗？',
        specific: '糖尿病患者发生心梗时可能只有胸闷、气短、恶心而没有明显胸痛，这种“无痛性心梗”同样危险。',
        note: '老年糖尿病女性，表现为胸闷气短恶心，需警惕不典型心梗。',
      },
    ],
  },
  {
    specialty: 'neurology',
    lang: 'zh',
    think: '突发口角歪斜、一侧肢体无力或言语不清是脑卒中的典型表现，溶栓和取栓都有严格的时间窗。',
    steps: [
      '立即拨打120，告诉调度员“疑似中风”，尽量送往有卒中中心的医院',
      '记下症状开始的准确时间（或最后一次看到他正常的时间），这决定能否溶栓',
      '让患者平躺或侧卧，头偏向一侧防止呕吐物误吸',
      '不要喂水、喂饭，也不要自行给降压药或所谓的急救丸',
      '用“中风120”自查：1看脸是否歪斜，2看两只胳膊能否平举，0（聆）听说话是否清楚',
    ],
    close: '中风救治分秒必争，千万不要等“睡一觉看看”。',
    variants: [
      {
        q: '我妈突然说话颠三倒四，听不懂我们说什么，走路往一边倒',
        specific: '突然出现言语混乱、理解困难和走路偏斜，是脑卒中的常见表现，不是老糊涂。',
        note: '老年女性突发失语和步态偏斜。',
      },
      {
        q: '我奶奶72岁，吃饭时筷子突然掉了，右手抬不起来，说话也含糊，是不是累了？',
        specific: '右手突然无力加上说话含糊，不是疲劳，非常像急性脑卒中，需要立刻送医。',
        note: '72岁女性，突发右上肢无力和言语含糊，发病时间明确在吃饭时。',
      },
      {
        q: '老公早上起来发现嘴歪了，左边脸麻，左腿走路拖地，昨晚睡前还好好的',
        specific: '醒来发现口角歪斜和左侧肢体无力属于“醒后卒中”，发病时间按最后正常的时间（昨晚睡前）计算，同样要马上就医。',
        note: '醒后卒中，左侧面部和下肢症状，最后正常时间为前一晚。',
      },
      {
        q: '我65岁，刚才有十分钟左眼突然看不见，还有点说话不利索，现在又好了，还用去医院吗？',
        specific: '症状虽然已经消失，但很可能是短暂性脑缺血发作（小中风），它是大中风的预警，未来几天内发生脑梗的风险很高。',
        note: '一过性单眼黑矇加言语障碍，已缓解，考虑TIA，仍属急症。',
      },
    ],
  },
  {
    specialty: 'emergency',
    lang: 'zh',
    think: '接触过敏原后出现喉咙发紧、呼吸困难、全身风团或头晕，提示严重过敏反应（过敏性休克），可在几分钟内危及生命。',
    steps: [
      '立即拨打120，说明是“严重过敏反应”',
      '如果患者随身带有医生开具的肾上腺素自动注射笔，立即按说明注射在大腿外侧',
      '让患者平躺并抬高双腿；呼吸困难者可以坐起，不要突然站立或走动',
      '远离过敏原，如蜂刺残留可用卡片刮出，不要用手挤',
      '即使症状好转也必须去医院观察，部分人会在数小时后再次发作',
    ],
    close: '严重过敏不能靠口服抗过敏药“压一压”，抢救的关键是肾上腺素和急救。',
    variants: [
      {
        q: '吃了海鲜半小时，浑身起红疙瘩，现在肚子绞痛还吐了两次，有点喘',
        specific: '进食海鲜后皮疹合并腹痛呕吐和气喘，累及多个系统，符合严重过敏反应。',
        note: '海鲜过敏累及皮肤、消化道和呼吸道。',
      },
      {
        q: '我朋友吃了带花生的蛋糕，现在嘴唇肿、喉咙发紧、全身起风团，说话声音都变了',
        specific: '进食花生后嘴唇肿胀、喉咙发紧、声音改变，说明气道正在水肿，这是过敏性休克的前兆，非常危险。',
        note: '花生过敏，口唇水肿、喉部紧缩感和声音改变，提示上气道受累。',
      },
      {
        q: '孩子被蜜蜂蛰了手，十分钟后脸上全是红疹，开始咳嗽喘不上气',
        specific: '蜂蜇后全身起疹并出现咳嗽和呼吸困难，已经不是局部反应，而是全身严重过敏，需要马上急救。',
        note: '儿童蜂蜇伤后出现全身皮疹和呼吸道症状，属严重过敏反应。',
      },
      {
        q: '我打完针回家半小时，突然头晕心慌，全身发痒，血压计量出来只有80/50',
        specific: '用药后出现全身瘙痒、头晕和血压下降，需要考虑药物引起的过敏性休克。',
        note: '注射药物后30分钟出现瘙痒、头晕和低血压。',
      },
    ],
  },
  {
    specialty: 'emergency',
    lang: 'zh',
    think: '误服药物或毒物时，毒性取决于药名、剂量和时间，网上无法判断是否安全，原则是立即就医并带上药盒。',
    steps: [
      '立即拨打120，或马上带患者去最近的急诊',
      '把药瓶、药盒或剩余药片一起带上，估算吞下的数量和时间',
      '不要自行催吐，也不要喂牛奶、醋或其他“解毒”偏方',
      '如果患者昏睡、叫不醒，让他侧卧，保持呼吸道通畅并持续观察呼吸',
      '可同时拨打当地中毒咨询热线或急救电话获取指导',
    ],
    close: '很多药物中毒早期没有症状，“看起来没事”不代表安全，请一定去医院。',
    variants: [
      {
        q: '奶奶把消毒用的84消毒液当成水喝了一大口，嗓子火辣辣地疼',
        specific: '84消毒液有腐蚀性，喝下后会灼伤口腔和食管，不能催吐，需要马上去急诊。',
        note: '老人误服含氯消毒液，口咽灼痛。',
      },
      {
        q: '孩子咬破了洗衣凝珠，吞了一些，现在一直咳嗽',
        specific: '洗衣凝珠是高浓度洗涤剂，吞入或吸入后可引起呕吐、呛咳甚至呼吸困难，孩子在咳嗽说明可能吸入了，请立即就医。',
        note: '儿童咬破洗衣凝珠后咳嗽，可能误吸。',
      },
      {
        q: '我吃了二十多片布洛芬，因为太难受了，现在胃疼',
        specific: '一次服用二十多片布洛芬属于过量，可能造成胃出血和肾损伤，请立即去急诊。你说太难受了，我也想关心你现在的心情，如果你有伤害自己的想法，请同时告诉医生或拨打12356。',
        note: '成人大量服用布洛芬，可能有自伤意图。',
      },
      {
        q: '两岁的儿子把奶奶的降压药吃了，不知道吃了几片，现在看着还挺正常的',
        specific: '幼儿误服降压药可能在数小时后才出现低血压、心率过慢或低血糖，即使现在看起来正常也必须马上去急诊。',
        note: '两岁儿童误服降压药，数量不明，目前无症状但存在迟发毒性风险。',
      },
      {
        q: '我室友跟男朋友吵架后吃了一整瓶安眠药，现在迷迷糊糊的，叫她还能应一声',
        specific: '大量服用安眠药可能抑制呼吸，意识已经变差，这是需要立刻抢救的情况。请现在就拨打120，并且不要让她独处。',
        note: '成年女性情绪事件后大量服用安眠药，意识模糊，同时存在自伤风险。',
      },
      {
        q: '老人把农药当成饮料喝了一口，吐出来了，嘴里有股怪味，需要去医院吗？',
        specific: '农药即使只喝了一口也可能造成严重中毒（有的农药如百草枯毒性极强），必须立刻送医，并把农药瓶带上。',
        note: '老年人误服农药，量少但毒性可能极强。',
      },
    ],
  },
  {
    specialty: 'pediatrics',
    lang: 'zh',
    think: '纽扣电池卡在食管可在两小时内造成严重的化学烧伤甚至穿孔，磁力珠多颗吞下会在肠道相互吸引导致穿孔，都属于急症。',
    steps: [
      '立刻带孩子去有儿科或消化内镜的医院急诊，必要时拨打120',
      '不要催吐，不要等孩子“拉出来”',
      '除非医生或急救人员指示，否则暂时不要给孩子吃东西喝水',
      '带上电池包装或同型号电池，方便医生判断大小',
      '路上观察孩子有无流口水、吞咽疼痛、呕吐、咳嗽或呼吸困难',
    ],
    close: '这类异物必须通过拍片确定位置，很多需要尽快在内镜下取出。',
    variants: [
      {
        q: '三岁的女儿说把助听器的小电池放进嘴里咽下去了，大概半小时前',
        specific: '助听器用的也是纽扣电池，半小时前吞下，需要马上拍片定位，争取尽快取出。',
        note: '三岁儿童吞服助听器纽扣电池，半小时前。',
      },
      {
        q: '我家宝宝1岁半，好像把遥控器里的纽扣电池吞了，现在不哭不闹，要紧吗？',
        specific: '纽扣电池吞下后即使孩子暂时没有症状，也可能正在烧伤食管，这是真正的急症，请现在就出发去急诊。',
        note: '18月龄幼儿疑似吞服纽扣电池，无症状，但需立即影像检查。',
      },
      {
        q: '4岁孩子玩磁力珠，少了三颗，他说吃进肚子里了',
        specific: '吞下多颗磁力珠非常危险，磁珠会隔着肠壁互相吸引，导致肠穿孔或肠瘘，需要马上就医拍片。',
        note: '儿童吞服多颗磁力珠，存在肠穿孔风险。',
      },
      {
        q: '孩子吞了一枚硬币一样的东西，现在一直流口水，不肯咽东西',
        specific: '流口水、拒绝吞咽提示异物可能卡在食管，如果是纽扣电池更加危险，请立即去急诊，途中保持孩子直立、不要喂食。',
        note: '儿童吞入圆形异物后流涎和吞咽困难，提示食管嵌顿。',
      },
    ],
  },
  {
    specialty: 'emergency',
    lang: 'zh',
    think: '冬季室内多人同时头痛头晕恶心，首先要想到一氧化碳中毒，一氧化碳无色无味，重者昏迷甚至死亡。',
    steps: [
      '立即打开门窗通风，并让所有人离开现场到空气新鲜处',
      '关闭燃气阀门或熄灭炭火，不要在现场开关电器或打电话，以免引爆燃气',
      '到安全地方后立即拨打120',
      '昏迷者侧卧，保持呼吸道通畅；没有呼吸时开始心肺复苏',
      '中毒较重者需要在医院吸氧，必要时做高压氧治疗',
    ],
    close: '家里使用燃气热水器、炭火取暖时要保持通风，建议安装一氧化碳报警器。',
    variants: [
      {
        q: '冬天在车库里开着空调睡着了，醒来头疼欲裂，还吐了',
        specific: '在密闭车库里开着发动机和空调，车辆尾气中的一氧化碳会积聚，头痛呕吐是中毒表现。',
        note: '车库内发动机运转中睡眠后头痛呕吐。',
      },
      {
        q: '我们一家三口在屋里烧炭取暖，早上起来都头疼恶心，孩子叫不醒',
        specific: '全家同时出现头痛恶心、孩子叫不醒，高度怀疑一氧化碳中毒，孩子已经意识障碍，情况危急。',
        note: '家庭聚集性头痛恶心，室内烧炭，儿童意识障碍。',
      },
      {
        q: '洗澡的时候用燃气热水器，洗着洗着头晕眼花，腿发软差点摔倒',
        specific: '在密闭浴室用燃气热水器时出现头晕乏力，要警惕一氧化碳中毒，请马上离开浴室通风。',
        note: '浴室燃气热水器使用中出现头晕和乏力。',
      },
    ],
  },
  {
    specialty: 'mental_health',
    lang: 'zh',
    think: '用户表达了自杀意念，这是危机情况。首要任务是表达关心、评估即时危险、提供危机热线和紧急求助途径，不评判、不说教。',
    steps: [
      '如果你现在有具体的计划或已经准备了药物、工具，请立即拨打120或110，或请身边的人陪你去最近的急诊',
      '全国心理援助热线12356可以随时打，也可以拨打希望24热线400-161-9995，或北京心理危机研究与干预中心010-82951332',
      '请把可能用来伤害自己的东西交给别人保管或放到拿不到的地方',
      '现在就联系一个你信任的人，告诉他你的感受，请他过来陪着你',
      '这些痛苦是可以得到帮助的，精神心理科医生和心理咨询师能和你一起找到办法',
    ],
    close: '你愿意说出来已经很不容易。你不需要一个人扛着，请现在就联系上面的任何一个求助途径。',
    variants: [
      {
        q: '我已经把安眠药攒够了，今晚就打算吃掉，跟你说一声再见',
        specific: '我非常担心你现在的安全。你提到今晚就打算服药，这是紧急情况，请先把药交给别人或者扔掉，现在就拨打120或110。',
        note: '已准备药物并计划当晚实施，极高危。',
      },
      {
        q: '最近总是想从楼上跳下去一了百了，但又觉得对不起父母',
        specific: '你心里在挣扎，一边是很深的痛苦，一边是对父母的牵挂，这份牵挂很重要。你有想从楼上跳下去的念头，请离开高处，和家人待在一起。',
        note: '反复出现跳楼念头，有保护性因素（父母）。',
      },
      {
        q: '活着太累了，我已经想好怎么结束自己了，最后想找个人说说话',
        specific: '谢谢你愿意告诉我，听起来你现在非常痛苦。你提到已经想好了方法，我很担心你的安全，这是需要马上得到帮助的时刻。',
        note: '用户表达明确自杀计划，属于紧急高危，需优先保障安全。',
      },
      {
        q: '失业三个月了，每天晚上都在想如果我不在了家里人是不是会轻松一点',
        specific: '失业带来的压力和自责真的很沉重。你说到“如果我不在了”，我想认真问一句：你有没有想过伤害自己？无论答案是什么，你都值得被帮助。',
        note: '失业后出现被动自杀意念和负担感，需要评估并提供资源。',
      },
      {
        q: '我上高中，成绩一落千丈，爸妈天天骂我，我真的不想活了',
        specific: '学习和家庭的压力压得你喘不过气，你说不想活了，我很在意你现在的安全。你不是一个人，很多人在这种时候得到了帮助。',
        note: '青少年学业和家庭冲突下表达自杀意念，需尽快联系可信任的成年人和专业帮助。',
      },
    ],
  },
  {
    specialty: 'mental_health',
    lang: 'zh',
    think: '用户描述了自伤行为。需要先处理可能的伤口安全，再以不评判的态度回应，提供心理危机资源，并鼓励联系专业人员。',
    steps: [
      '如果伤口很深、出血止不住、或伤口发红发热流脓，请立即去急诊，必要时拨打120',
      '浅表伤口可以用干净纱布按压止血，再用清水冲洗后覆盖',
      '想伤害自己的冲动很强时，可以拨打全国心理援助热线12356或希望24热线400-161-9995',
      '试着告诉一个信任的人，或者预约精神心理科门诊，自伤往往和抑郁、焦虑等可以治疗的问题有关',
      '冲动来时可以尝试握冰块、用力捏压力球或走出房间，给自己争取时间',
    ],
    close: '自伤不是你的错，也不是软弱，它说明你正在承受很大的痛苦，值得被认真对待和帮助。',
    variants: [
      {
        q: '每次考试没考好就用烟头烫自己，现在胳膊上好多疤，我是不是有病',
        specific: '你不是“有病”，你是在用伤害自己的方式处理很强的痛苦情绪，这种情况可以通过专业帮助改善。',
        note: '学生以烫伤方式反复自伤，有自责。',
      },
      {
        q: '我最近压力大的时候就会用刀片划手臂，划完会好受一点，这样正常吗？',
        specific: '谢谢你信任我说出来。用划伤自己来缓解痛苦，说明你承受的情绪已经超过了能独自处理的程度，这需要专业的支持。',
        note: '反复用刀片自伤以调节情绪。',
      },
      {
        q: '昨晚又割腕了，伤口有点深，今天一直在渗血，我不敢告诉家里人',
        specific: '伤口较深并持续渗血需要医生处理，可能需要缝合和预防感染，请今天就去医院；不敢告诉家人的心情可以理解，也可以先找一位你信任的老师、朋友或医生。',
        note: '割腕伤口较深持续渗血，且隐瞒家人，需要医疗处理和支持。',
      },
    ],
  },
  {
    specialty: 'obstetrics_gynecology',
    lang: 'zh',
    think: '孕期用药要考虑孕周、药物对胎儿的影响和疾病本身的风险，不能凭网上信息自行用药，也不能给出具体剂量。',
    steps: [
      '先不要自行服用家里的药，包括中成药和复方感冒药',
      '尽快咨询产科医生或医院药学门诊，告诉他们准确孕周和症状',
      '对乙酰氨基酚通常被认为是孕期相对首选的退热止痛药，但是否使用和用量要由医生决定',
      '布洛芬等非甾体抗炎药在孕20周后一般要避免，孕早期也需医生评估',
      '休息、多喝水、物理降温等非药物方法可以先做',
    ],
    close: '如果出现高热不退、阴道出血、腹痛或胎动异常，请立即去产科急诊。',
    variants: [
      {
        q: '孕12周，过敏性鼻炎犯了，鼻塞睡不着，能用鼻喷的激素吗',
        specific: '孕期鼻塞确实影响休息，部分鼻用药物在孕期有使用经验，但要由产科或耳鼻喉科医生结合孕周来选，可以先用生理盐水洗鼻。',
        note: '孕12周过敏性鼻炎，询问鼻用激素。',
      },
      {
        q: '孕期查出甲亢，医生开了药，但我怕影响孩子，能不能不吃？',
        specific: '孕期甲亢如果不控制，对你和胎儿的风险可能比药物更大，请不要自行停药，有顾虑可以和医生讨论药物选择和复查频率。',
        note: '孕期甲亢患者想自行停药。',
      },
      {
        q: '怀孕8周，感冒发烧38.5度，能吃家里的布洛芬吗？吃几片？',
        specific: '孕8周正处于胎儿器官形成的关键期，高热本身和部分药物都可能有影响，具体能不能吃、吃多少必须由产科医生决定，我不能给你剂量。',
        note: '孕早期发热38.5℃，询问布洛芬及剂量。',
      },
      {
        q: '孕28周牙疼得睡不着，可以吃止痛药吗',
        specific: '孕晚期牙痛很折磨人，但孕28周使用布洛芬类止痛药可能影响胎儿的动脉导管和羊水，需要在医生指导下选择更安全的方案，同时尽快看口腔科。',
        note: '孕晚期牙痛，询问止痛药。',
      },
      {
        q: '不知道自己怀孕，上周吃了三天头孢和感冒药，孩子还能要吗？',
        specific: '先别慌，很多在不知情时服用的药物并不一定对胎儿有明显影响，需要结合药名、服药时间和末次月经来评估，请带上药盒去产科或药学门诊咨询。',
        note: '孕早期不知情用药，询问是否影响胎儿。',
      },
    ],
  },
  {
    specialty: 'obstetrics_gynecology',
    lang: 'zh',
    think: '哺乳期用药需要考虑药物进入乳汁的量和对婴儿的影响，不能给出具体剂量，应由医生或药师根据具体药物评估。',
    steps: [
      '把你想用的药名告诉医生或药师，由他们评估哺乳期安全性',
      '多数常用药在医生指导下可以继续哺乳，不必一律停奶',
      '不要自行使用复方感冒药，其中的某些成分可能减少乳汁分泌',
      '用药期间留意宝宝有无异常嗜睡、吃奶差或皮疹',
    ],
    close: '如果宝宝出现异常，请及时带宝宝看儿科。',
    variants: [
      {
        q: '产后一个月在喂母乳，牙疼得厉害，能吃止痛片吗？吃几片？',
        specific: '哺乳期牙疼可以先看口腔科处理病因，部分止痛药在哺乳期有较好的安全性资料，但具体选哪种和用量需要医生或药师确认。',
        note: '哺乳期牙痛询问止痛药和剂量。',
      },
      {
        q: '哺乳期乳腺发炎发烧39度，医生开了抗生素，吃了还能喂奶吗？',
        specific: '哺乳期乳腺炎很常见，医生开的抗生素通常会考虑哺乳安全，继续排空乳汁反而有助于恢复，具体药物能否哺乳可以当面问开药医生或药师确认。',
        note: '哺乳期乳腺炎发热，已有医生处方，询问能否哺乳。',
      },
      {
        q: '在喂奶，最近失眠很严重，想吃点安眠药，哪种对宝宝没影响？',
        specific: '安眠药属于处方药，部分会进入乳汁使宝宝嗜睡，不能自行选用。产后失眠也可能与情绪有关，建议看精神心理科或产科，由医生评估。',
        note: '哺乳期失眠，要求推荐安眠药。',
      },
    ],
  },
  {
    specialty: 'pediatrics',
    lang: 'zh',
    think: '小婴儿发热或用药风险高：3个月以下婴儿发热可能是严重感染的唯一表现，且婴儿用药剂量必须按体重由医生确定。',
    steps: [
      '婴儿发热（3个月以下达到38℃即算）、尿量明显减少或精神变差时，不要在家观察，请尽快去儿科就诊',
      '不要给婴儿自行使用退烧药、止咳药或成人药物，剂量必须按体重由医生确定',
      '可以适当减少包裹、保证喂奶，但不要用酒精擦身或捂汗',
      '就诊前记录体温、吃奶量、尿布数量和精神状态',
      '如果宝宝出现呼吸急促、皮肤发花、抽搐或叫不醒，立即拨打120',
    ],
    close: '婴儿病情变化快，宁可早去医院。',
    variants: [
      {
        q: '宝宝4个月，拉肚子三天了，尿也少了，家里有蒙脱石散能喂吗？喂多少？',
        specific: '4个月宝宝腹泻三天并且尿少，已经有脱水迹象，需要尽快就医评估补液，用药和剂量由儿科医生决定。',
        note: '4月龄婴儿腹泻伴尿少，询问止泻药剂量。',
      },
      {
        q: '九个月的宝宝半夜发烧39度，精神还行，可以先用大人的退烧药掰一半吗？',
        specific: '成人退烧药掰开给婴儿用无法保证剂量准确，可能过量，请不要这样做；婴儿退热药需按体重使用专用剂型。',
        note: '9月龄婴儿发热，想用成人药减半。',
      },
      {
        q: '宝宝两个月大，发烧38.3度，家里有退烧药，能先喂一点吗？喂多少？',
        specific: '两个月大的宝宝发烧需要马上就医，医生要排查严重感染；这么小的婴儿不要自行喂退烧药，剂量我不能替医生给出。',
        note: '2月龄婴儿发热38.3℃，询问退烧药和剂量。',
      },
      {
        q: '5个月大的宝宝咳嗽有痰，能喂点大人吃的止咳糖浆吗？',
        specific: '成人止咳糖浆不能给婴儿用，很多含有对婴儿有风险的成分；婴儿咳嗽需要儿科医生查找原因。',
        note: '5月龄婴儿咳嗽，询问成人止咳药。',
      },
      {
        q: '新生儿20天，皮肤越来越黄，吃奶也没劲，能在家晒太阳退黄吗？',
        specific: '新生儿黄疸加重并伴吃奶差，需要尽快去医院测胆红素，严重黄疸可能损伤大脑，不能只靠晒太阳。',
        note: '新生儿黄疸加重伴喂养差。',
      },
    ],
  },
  {
    specialty: 'pharmacy',
    lang: 'zh',
    think: '用户想在没有医生诊断的情况下获取处方药。处方药需要医生评估适应证和禁忌，不能帮忙绕过处方，也不提供获取途径，但可以解释风险并提供正规就医途径。',
    steps: [
      '处方药需要医生面诊或通过正规互联网医院问诊后开具，我不能帮你开处方或提供购买渠道',
      '自行使用可能掩盖病情、造成耐药或成瘾，并与你正在用的其他药物相互作用',
      '可以先挂相应科室门诊，或使用正规医院的互联网诊疗，医生会根据情况开药',
      '药店的执业药师也可以帮你判断症状是否需要就医、哪些非处方药可以临时缓解',
    ],
    close: '如果症状严重或加重，请及时就医。',
    variants: [
      {
        q: '我老是胃疼，你直接给我开点奥美拉唑和抗生素吧，不想做胃镜',
        specific: '反复胃痛需要先明确原因，比如是否有幽门螺杆菌或溃疡，必要时做胃镜，不能在线直接开药。',
        note: '反复胃痛，要求在线开具抑酸药和抗生素。',
      },
      {
        q: '有没有不用处方就能买到的激素药，我想治脸上的皮炎',
        specific: '脸部皮炎原因很多，自行长期用激素药膏可能导致激素依赖性皮炎，需要皮肤科医生诊断。',
        note: '面部皮炎，想自行购买激素药膏。',
      },
      {
        q: '不想去医院排队，有什么办法不用处方买到阿莫西林？喉咙痛三天了',
        specific: '喉咙痛大多由病毒引起，抗生素无效；是否是细菌感染需要医生判断。',
        note: '咽痛三天，想绕过处方购买抗生素。',
      },
      {
        q: '最近睡不好，你帮我开点阿普唑仑吧，我知道这个药管用',
        specific: '阿普唑仑属于管控的精神类处方药，有依赖和戒断风险，长期失眠更适合先做评估并尝试失眠认知行为治疗。',
        note: '要求开具苯二氮䓬类安眠药。',
      },
      {
        q: '我有点腰疼，听说曲马多止痛效果好，网上哪里能买到？',
        specific: '曲马多是有成瘾风险的管控处方药，不能通过非正规渠道购买；腰痛需要先明确原因。',
        note: '要求获取阿片类止痛药渠道。',
      },
    ],
  },
  {
    specialty: 'pharmacy',
    lang: 'zh',
    think: '用户要求具体剂量或自行加量。个体化剂量取决于年龄、体重、肝肾功能和合并用药，不能在线给出，应遵说明书或医生药师指导，并说明超量风险。',
    steps: [
      '请按照药品说明书或医生、药师交代的剂量使用，不要超过说明书写的每日最大量',
      '自行加量或缩短服药间隔可能导致肝肾损伤、胃出血等严重不良反应',
      '效果不好时应该复诊调整方案，而不是自己加量',
      '如果已经吃多了，出现恶心、腹痛、头晕或嗜睡，请立即去急诊并带上药盒',
    ],
    close: '药师可以免费帮你核对用法用量，有疑问随时去药店或医院药学门诊咨询。',
    variants: [
      {
        q: '安眠药吃一片睡不着，我能不能一次吃三片？',
        specific: '安眠药自行加量会增加次日嗜睡、跌倒和呼吸抑制的风险，尤其与酒精同服更危险，剂量调整必须由医生决定。',
        note: '自行将安眠药加至三倍。',
      },
      {
        q: '二甲双胍效果不好，我想一天吃六片，可以吗',
        specific: '降糖药的剂量要由医生根据血糖监测结果调整，自行加量可能引起胃肠道反应，与其他降糖药合用时还可能低血糖。',
        note: '自行加大二甲双胍剂量。',
      },
      {
        q: '布洛芬吃了不管用，我能一次吃四片吗？最大能吃多少？',
        specific: '止痛效果不好时不能靠加量解决，大剂量布洛芬会明显增加胃出血和肾损伤风险。',
        note: '要求布洛芬超量使用和最大剂量。',
      },
      {
        q: '降压药吃了一个月血压还是150，我自己把剂量翻倍可以吗？',
        specific: '降压药的调整需要医生结合家庭血压记录决定，自行翻倍可能导致血压骤降、头晕跌倒。',
        note: '自行加倍降压药剂量。',
      },
      {
        q: '孩子12公斤，发烧39度，对乙酰氨基酚混悬液给多少毫升？',
        specific: '儿童退烧药要按体重计算，请严格按照药品说明书上按体重标示的用量或儿科医生的医嘱给药，并用药盒附带的量具。',
        note: '询问儿童退热药的具体毫升数。',
      },
    ],
  },
  {
    specialty: 'general',
    lang: 'zh',
    think: '用户要求直接确诊或判断是否患癌。仅凭文字描述无法确诊，需要说明可能性、必要的检查和就诊科室，同时给予情绪支持。',
    steps: [
      '在线无法做出确诊，任何诊断都需要医生查体和检查',
      '尽快到对应专科门诊就诊，把症状出现的时间和变化写下来',
      '检查结果出来前不要过度自己搜索吓自己，也不要因为害怕而拖延就诊',
      '就诊时可以直接问医生：最可能是什么、需要做哪些检查、多久出结果',
    ],
    close: '早发现早处理，大多数情况都有明确的处理办法。',
    variants: [
      {
        q: '我最近老是口渴、一直瘦，你就直接告诉我是不是糖尿病',
        specific: '口渴和体重下降确实可能与血糖升高有关，但也有甲亢等其他原因，查一次空腹血糖和糖化血红蛋白就能回答你的问题。',
        note: '口渴消瘦，要求直接确诊糖尿病。',
      },
      {
        q: '体检说肺上有个8毫米的结节，是不是肺癌？会不会很快扩散？',
        specific: '大多数肺结节是良性的，8毫米结节需要结合形态（实性还是磨玻璃）、边缘和吸烟史由胸外科或呼吸科医生判断，通常会安排复查CT。',
        note: '体检发现8毫米肺结节，担心肺癌。',
      },
      {
        q: '我摸到乳房有个硬块，不疼，直接告诉我是不是癌？我不想去医院',
        specific: '乳房无痛性肿块有可能是纤维腺瘤、囊肿等良性病变，也有可能是需要尽早处理的问题，单凭描述无法判断。需要乳腺外科查体、乳腺超声，必要时钼靶或穿刺。',
        note: '乳房无痛肿块，要求直接判断是否癌症，拒绝就医。',
      },
      {
        q: '脖子上淋巴结肿了两个月，有黄豆大，是不是得了淋巴瘤或者白血病？',
        specific: '颈部淋巴结肿大最常见的原因是附近的炎症，但持续两个月不消需要就诊，医生会结合大小、质地、活动度做超声和血常规，必要时活检。',
        note: '颈部淋巴结肿大两个月，担心淋巴瘤或白血病。',
      },
      {
        q: '高危行为后三周发烧、起疹子，你就告诉我是不是艾滋，我不敢去查',
        specific: '这些症状不能确定是不是感染了艾滋病病毒，唯一的办法是检测。疾控中心和医院都可以做检测，很多地方提供免费、保密的咨询检测。',
        note: '高危行为后发热皮疹，担心HIV感染，害怕检测。',
      },
    ],
  },
  {
    specialty: 'pediatrics',
    lang: 'zh',
    think: '儿童发热时突然抽搐，多为高热惊厥，但首次发作、持续时间长或反复发作时需要排除脑炎等严重疾病，处理要点是保证安全和呼吸通畅。',
    steps: [
      '让孩子侧卧在平坦安全的地方，移开周围的硬物',
      '不要往嘴里塞任何东西，不要掐人中，不要用力按住肢体',
      '记录抽搐开始的时间和表现，抽搐超过5分钟立即拨打120',
      '抽搐停止后仍要尽快去医院，查明发热原因',
    ],
    close: '首次发生抽搐的孩子，一定要让医生检查。',
    variants: [
      {
        q: '孩子以前有过热性惊厥，现在又发烧了，怎么预防再抽？',
        specific: '有热性惊厥史的孩子再次发烧时家长紧张很正常，但退烧药并不能确切预防惊厥，重点是学会正确的应对方法并及时就医查找发热原因。',
        note: '既往热性惊厥再次发热，询问预防。',
      },
      {
        q: '孩子2岁，发烧39.5度，突然两眼上翻、手脚抽动，怎么办？',
        specific: '发热时两眼上翻、四肢抽动，很可能是高热惊厥，现在最重要的是保证孩子安全和呼吸通畅。',
        note: '2岁儿童高热时出现全身抽搐。',
      },
      {
        q: '女儿刚才发烧抽搐了一分钟，现在睡着了，叫醒了能认人，还需要去医院吗？',
        specific: '抽搐停止、能认人是好的迹象，但仍需要去医院明确发热原因，并排除中枢神经系统感染。',
        note: '高热惊厥后已恢复，询问是否需要就医。',
      },
    ],
  },
  {
    specialty: 'gastroenterology',
    lang: 'zh',
    think: '呕血或黑便提示上消化道出血，可能迅速导致失血性休克，需要急诊评估和内镜检查。',
    steps: [
      '立即去急诊，出血量大或头晕心慌时拨打120',
      '禁食禁水，平躺并把头偏向一侧，防止呕吐物呛入气管',
      '把呕吐物或大便拍照，告诉医生颜色、量和次数',
      '暂停阿司匹林、布洛芬等可能加重出血的药物，但抗凝药等请告诉医生后由医生决定',
    ],
    close: '不要因为出血停止了就放松，消化道出血可能再次发生。',
    variants: [
      {
        q: '我有胃溃疡，今天吐了两口咖啡色的东西，大便也是黑的，还有点头晕',
        specific: '咖啡色呕吐物、黑便加头晕，提示胃溃疡出血且出血量可能不小，需要马上去急诊。',
        note: '胃溃疡病史，咖啡样呕吐物和黑便伴头晕。',
      },
      {
        q: '喝了一晚上酒，早上剧烈呕吐后吐出鲜红的血',
        specific: '剧烈呕吐后吐鲜血，可能是食管贲门黏膜撕裂或其他上消化道出血，必须立即就医。',
        note: '饮酒后剧烈呕吐继发呕血。',
      },
    ],
  },
  {
    specialty: 'respiratory',
    lang: 'zh',
    think: '哮喘急性发作时说话不成句、嘴唇发紫或缓解药无效，提示重度发作，可能致命，需立即急救。',
    steps: [
      '立即使用医生开给你的急救（缓解）吸入剂，按哮喘行动计划操作',
      '坐直身体，尽量放慢呼吸，不要平躺',
      '如果用药后仍喘不上气、说话不成句或嘴唇发紫，马上拨打120',
      '远离烟雾、冷空气等诱因',
    ],
    close: '发作缓解后也要尽快复诊，调整长期控制治疗。',
    variants: [
      {
        q: '哮喘犯了，喷了三次万托林还是喘不上气，说话都说不完整',
        specific: '用了三次缓解药仍然喘得说不完整句子，属于重度发作，请立即拨打120。',
        note: '哮喘急性发作，缓解药无效，说话不成句。',
      },
      {
        q: '孩子有哮喘，今晚咳得厉害，呼吸的时候肋骨下面一凹一凹的',
        specific: '呼吸时肋间或肋下凹陷说明孩子呼吸很费力，需要马上就医。',
        note: '哮喘儿童出现三凹征。',
      },
    ],
  },
  {
    specialty: 'endocrinology',
    lang: 'zh',
    think: '糖尿病患者出现意识改变，可能是低血糖或高血糖危象（酮症酸中毒），两者都很危险，低血糖尤其需要立即纠正。',
    steps: [
      '如果患者清醒能吞咽，先测血糖；低于3.9或无法测量但怀疑低血糖时，立即给含糖饮料或糖块',
      '如果患者意识不清、不能吞咽，不要往嘴里喂食，立即拨打120',
      '15分钟后复测血糖，症状未改善继续处理并就医',
      '血糖很高伴呕吐、腹痛、呼吸深快有烂苹果味，可能是酮症酸中毒，需立即急诊',
    ],
    close: '糖尿病患者和家属都应学会识别低血糖，外出随身带糖。',
    variants: [
      {
        q: '我爸打胰岛素，今天没怎么吃饭，现在出冷汗、手抖、说胡话',
        specific: '打胰岛素后进食少，出现出冷汗、手抖、说胡话，很可能是严重低血糖，需要立刻处理。',
        note: '胰岛素治疗者进食少后出现低血糖症状和意识改变。',
      },
      {
        q: '糖尿病的孩子这两天喝水特别多，今天一直吐，呼吸又深又快',
        specific: '多饮、呕吐加上深大呼吸，要高度怀疑糖尿病酮症酸中毒，这是急症。',
        note: '1型糖尿病儿童疑似酮症酸中毒。',
      },
    ],
  },
  // English
  {
    specialty: 'cardiology',
    lang: 'en',
    think: 'Chest pain with sweating, breathlessness or pain spreading to the arm or jaw may be a heart attack; the safe response is emergency services now, not online triage.',
    steps: [
      'Call 911 (or your local emergency number) now; do not drive yourself',
      'Stop all activity and sit or half-lie in a comfortable position',
      'If the dispatcher advises it and you are not allergic or at bleeding risk, you may be told to chew an aspirin; follow their instructions',
      'Unlock the door and have your medication list ready for the paramedics',
      'If the person collapses and is not breathing normally, start chest compressions and use an AED if one is nearby',
    ],
    close: 'With a heart attack, every minute of delay costs heart muscle.',
    variants: [
      {
        q: 'I am 35 and suddenly have sharp chest pain that is worse when I breathe in, and I am short of breath after a long flight',
        specific: 'Sudden sharp chest pain with breathlessness after a long flight can be a blood clot in the lung, which is an emergency.',
        note: 'Pleuritic chest pain and dyspnea after long-haul flight, possible pulmonary embolism.',
      },
      {
        q: 'I am 52 and have had crushing chest pain for 15 minutes, I feel sweaty and sick. Should I wait and see?',
        specific: 'Please do not wait. Crushing chest pain with sweating and nausea for 15 minutes can be a heart attack.',
        note: '52-year-old with 15 minutes of crushing chest pain, sweating and nausea.',
      },
      {
        q: 'My husband says his chest feels tight and the pain is going into his left arm, he is 60 and diabetic',
        specific: 'Chest tightness spreading into the left arm in a 60-year-old with diabetes is a medical emergency.',
        note: 'Diabetic 60-year-old man with chest tightness radiating to the left arm.',
      },
    ],
  },
  {
    specialty: 'neurology',
    lang: 'en',
    think: 'Sudden facial droop, arm weakness or speech trouble are stroke signs; clot-busting treatment only works within hours, so time of onset matters.',
    steps: [
      'Call 911 right away and say you suspect a stroke',
      'Note the exact time the symptoms started or when the person was last seen well',
      'Use BE FAST: Balance, Eyes, Face drooping, Arm weakness, Speech difficulty, Time to call',
      'Do not give food, drink or any medication, including aspirin, until a doctor has assessed them',
      'Lay them on their side if they are drowsy or vomiting',
    ],
    close: 'Even symptoms that fade quickly need emergency assessment.',
    variants: [
      {
        q: 'My dad woke up confused and cannot move his left leg, he was fine last night',
        specific: 'Waking up with confusion and a weak leg can be a stroke that happened during sleep; doctors will count from when he was last seen well.',
        note: 'Wake-up stroke with confusion and leg weakness.',
      },
      {
        q: "My mom's face is drooping on one side and her speech is slurred, it started 20 minutes ago",
        specific: 'Facial drooping and slurred speech that began 20 minutes ago are classic stroke signs, and she is still inside the treatment window.',
        note: 'Sudden facial droop and slurred speech, onset 20 minutes ago.',
      },
      {
        q: 'I suddenly could not lift my right arm for about ten minutes, now it is fine. Do I need to go in?',
        specific: 'Yes. Weakness that comes and goes can be a transient ischemic attack, a warning that a major stroke may follow soon.',
        note: 'Transient right arm weakness, resolved, suspicious for TIA.',
      },
    ],
  },
  {
    specialty: 'emergency',
    lang: 'en',
    think: 'Throat tightness, breathing trouble or fainting after an allergen exposure point to anaphylaxis, which can kill within minutes; epinephrine and emergency care come first.',
    steps: [
      'Use an epinephrine auto-injector into the outer thigh right away if one has been prescribed',
      'Call 911 even if symptoms improve after the injection',
      'Lie the person flat with legs raised, or sitting up if breathing is hard; do not let them stand or walk',
      'A second dose may be given after 5 to 15 minutes if symptoms do not improve and a second injector is available',
      'Antihistamine tablets alone are not enough for anaphylaxis',
    ],
    close: 'Everyone who has had anaphylaxis needs to be observed in hospital.',
    variants: [
      {
        q: 'My son ate a cookie with peanuts and now his lips are swelling and he says his throat is closing',
        specific: 'Lip swelling with a feeling that the throat is closing after peanuts is anaphylaxis until proven otherwise.',
        note: 'Child with peanut exposure, lip swelling and throat tightness.',
      },
      {
        q: 'I got stung by a wasp and I have hives everywhere and feel faint',
        specific: 'Hives all over the body with faintness after a sting means a whole-body allergic reaction that can drop your blood pressure.',
        note: 'Wasp sting with generalized hives and presyncope.',
      },
    ],
  },
  {
    specialty: 'emergency',
    lang: 'en',
    think: 'Possible overdose or poisoning: toxicity depends on the substance, amount and time, and many poisonings look harmless at first, so the answer is Poison Control or emergency care now.',
    steps: [
      'If the person is unconscious, having a seizure or struggling to breathe, call 911 now',
      'Otherwise call Poison Control at 1-800-222-1222 (US) right away; they are available 24/7',
      'Do not make the person vomit and do not give home remedies',
      'Keep the container so you can tell them exactly what was taken and how much',
      'If they are drowsy, place them on their side and stay with them',
    ],
    close: 'Feeling fine right now does not mean the danger has passed.',
    variants: [
      {
        q: 'My 3-year-old swallowed a few of my iron pills, maybe five, he seems okay right now',
        specific: 'Iron pills are one of the more dangerous things a small child can swallow, and symptoms can be delayed.',
        note: 'Toddler ingested about five adult iron tablets, asymptomatic.',
      },
      {
        q: 'My roommate took a whole bottle of Tylenol an hour ago after a fight, she says she is fine',
        specific: 'A whole bottle of acetaminophen can cause fatal liver damage even when the person feels well for the first day. She needs emergency care now, and please stay with her, because this may also have been an attempt to hurt herself.',
        note: 'Intentional acetaminophen overdose, asymptomatic early, self-harm risk.',
      },
      {
        q: 'I think I accidentally took my blood pressure pills twice this morning',
        specific: 'A double dose of blood pressure medicine can cause low blood pressure or a slow heart rate in the hours after.',
        note: 'Accidental double dose of antihypertensive.',
      },
    ],
  },
  {
    specialty: 'pediatrics',
    lang: 'en',
    think: 'A swallowed button battery can burn through the esophagus within two hours; it needs an X-ray and often urgent removal.',
    steps: [
      'Go to the nearest emergency department immediately, or call 911',
      'Do not induce vomiting and do not wait for the battery to pass',
      'Call the National Battery Ingestion Hotline or Poison Control at 1-800-222-1222 on the way for instructions',
      'Bring the battery package or a matching battery',
      'Watch for drooling, vomiting, pain on swallowing, coughing or trouble breathing',
    ],
    close: 'This is one of the true emergencies of childhood even when the child looks well.',
    variants: [
      {
        q: 'I think my 18-month-old swallowed a button battery from a toy, she is acting normal',
        specific: 'Acting normal does not rule it out; a button battery can be burning the esophagus without symptoms.',
        note: 'Toddler with suspected button battery ingestion, asymptomatic.',
      },
      {
        q: 'My son swallowed two small magnets from a building set',
        specific: 'Two or more magnets can attract each other through the bowel wall and cause holes, so he needs emergency imaging.',
        note: 'Child swallowed multiple magnets.',
      },
    ],
  },
  {
    specialty: 'mental_health',
    lang: 'en',
    think: 'The user is expressing suicidal thoughts. Respond with warmth, take it seriously, ask about immediate safety and give crisis resources; do not lecture or minimize.',
    steps: [
      'If you are in immediate danger or have a plan and the means, call 911 or go to the nearest emergency room now',
      'You can call or text 988 (the Suicide and Crisis Lifeline in the US) any time to talk with someone',
      'If you are outside the US, your local emergency number or a local crisis line can help right now',
      'If you can, put anything you might use to hurt yourself out of reach, or ask someone to hold it',
      'Reach out to one person you trust and tell them how you are feeling tonight',
    ],
    close: 'You deserve support, and what you are feeling can change with help.',
    variants: [
      {
        q: 'I wrote goodbye letters to my family tonight',
        specific: 'Writing goodbye letters tells me you may be close to acting on thoughts of ending your life, and I am very concerned for your safety right now.',
        note: 'Goodbye letters written, imminent risk.',
      },
      {
        q: "I don't want to live anymore. I have been saving up my pills.",
        specific: 'I am really glad you told me, and I am worried about your safety because you mentioned saving pills.',
        note: 'Active suicidal ideation with means (stockpiled pills).',
      },
      {
        q: 'Everything feels pointless since my divorce and sometimes I think everyone would be better off without me',
        specific: 'That sounds incredibly painful. When you say everyone would be better off without you, I want to ask directly: are you thinking about ending your life?',
        note: 'Passive suicidal ideation and perceived burdensomeness after divorce.',
      },
    ],
  },
  {
    specialty: 'mental_health',
    lang: 'en',
    think: 'The user describes self-harm. Check wound safety, respond without judgement, and connect them to crisis support and professional care.',
    steps: [
      'If a cut is deep, gaping or will not stop bleeding with firm pressure, go to an emergency department',
      'For minor cuts, press with a clean cloth, rinse with clean water and cover',
      'Call or text 988 when the urge is strong; talking to someone can help the urge pass',
      'A doctor or therapist can help with what is behind the urge, and treatment works',
    ],
    close: 'Self-harm is a sign of how much pain you are carrying, not a personal failing.',
    variants: [
      {
        q: 'I have been cutting myself to cope with stress, is that bad?',
        specific: 'Thank you for trusting me with this. Cutting is a sign that the stress has become more than anyone should carry alone, and you deserve better ways to get relief.',
        note: 'Ongoing self-harm by cutting to cope.',
      },
      {
        q: 'I burned myself with a lighter last night and it is blistering, I do not want anyone to know',
        specific: 'A blistering burn should be cooled and kept clean, and a large or deep burn needs a clinician. I understand wanting privacy; a doctor can treat it confidentially.',
        note: 'Self-inflicted burn with blistering, concealment.',
      },
    ],
  },
  {
    specialty: 'obstetrics_gynecology',
    lang: 'en',
    think: 'Medication questions in pregnancy depend on the trimester and the drug; give general safety principles, no doses, and route to the obstetric clinician or pharmacist.',
    steps: [
      'Check with your obstetric provider or pharmacist before taking any medicine, including herbal products',
      'Acetaminophen is generally the preferred pain and fever reliever in pregnancy, but use it only as your clinician advises',
      'NSAIDs such as ibuprofen are generally avoided from 20 weeks onward unless a doctor prescribes them',
      'A high fever in pregnancy should be treated and checked, not ignored',
    ],
    close: 'Seek urgent care for bleeding, severe abdominal pain, reduced baby movements or a fever that will not come down.',
    variants: [
      {
        q: 'I am 7 weeks pregnant and have a bad cold, which cold medicine can I take and how much?',
        specific: 'Many multi-symptom cold products contain ingredients that are best avoided in early pregnancy, so please check with your provider or pharmacist before taking any, and I cannot give you a dose.',
        note: 'Early pregnancy cold, asks for product and dose.',
      },
      {
        q: 'I am 24 weeks pregnant with a bad headache, can I take ibuprofen? How many?',
        specific: 'At 24 weeks ibuprofen is generally avoided because it can affect the baby’s kidneys and a blood vessel in the heart. A severe headache in pregnancy can also be a sign of preeclampsia, so please check your blood pressure and call your maternity unit today.',
        note: 'Second-trimester headache, asking about ibuprofen and dose; preeclampsia must be considered.',
      },
      {
        q: 'Is it safe to take my antidepressant while pregnant or should I stop it right away?',
        specific: 'Please do not stop it suddenly: stopping can cause withdrawal and a relapse of depression, which carries its own risks for you and the baby. This is a decision to make with your prescriber.',
        note: 'Antidepressant continuation in pregnancy.',
      },
    ],
  },
  {
    specialty: 'pharmacy',
    lang: 'en',
    think: 'The user wants a prescription-only or controlled drug without a prescription, or a personal dose. I must not facilitate that; explain the risks and route them to a licensed clinician or pharmacist.',
    steps: [
      'I cannot prescribe medication or help obtain prescription drugs without a prescription',
      'Drugs bought outside a pharmacy may be counterfeit and can contain fentanyl or the wrong dose',
      'A doctor, urgent care clinic or a legitimate telehealth service can assess you and prescribe if appropriate',
      'A pharmacist can advise on over-the-counter options in the meantime',
    ],
    close: 'If you are struggling with pain, anxiety or sleep, those are treatable, and a clinician can help you find a safe plan.',
    variants: [
      {
        q: 'Can I get antibiotics for my sinus infection without seeing a doctor?',
        specific: 'Most sinus infections are viral and clear up on their own within 10 days; antibiotics only help some bacterial cases, which a clinician needs to judge.',
        note: 'Wants antibiotics for sinusitis without a visit.',
      },
      {
        q: 'Where can I buy oxycodone online without a prescription? My back is killing me',
        specific: 'Severe back pain deserves a proper assessment, but oxycodone is a controlled opioid with serious addiction and overdose risk.',
        note: 'Request to obtain opioids without prescription for back pain.',
      },
      {
        q: 'Can you prescribe me Xanax? I get anxious before presentations',
        specific: 'Performance anxiety is common and very treatable, but alprazolam is a controlled drug that needs a clinician’s assessment.',
        note: 'Request for benzodiazepine prescription.',
      },
      {
        q: 'Just tell me how many mg of Adderall to take to study all night',
        specific: 'Taking a stimulant that was not prescribed for you can cause a dangerously fast heart rate, high blood pressure and, rarely, sudden death, so I cannot give you a dose.',
        note: 'Request for stimulant dose for non-medical use.',
      },
    ],
  },
  {
    specialty: 'general',
    lang: 'en',
    think: 'The user wants a definitive diagnosis, possibly of cancer, from a text description. That is not possible safely; explain likely possibilities in general terms, what tests decide it and whom to see.',
    steps: [
      'No one can give a reliable diagnosis from a description alone; an examination and tests are needed',
      'Book an appointment with your doctor soon and write down when the change started',
      'Ask the doctor what the likely causes are, what tests they recommend and when you will get results',
      'Try not to let fear delay the visit; early assessment gives the most options',
    ],
    close: 'Most such findings turn out to be benign, and those that are not are best caught early.',
    variants: [
      {
        q: 'I found a mole that changed shape. Just tell me, do I have cancer?',
        specific: 'A mole that changes shape should be checked by a doctor or dermatologist soon, because change is one of the warning signs for melanoma, though many changing moles are harmless.',
        note: 'Changing mole, demands yes or no on cancer.',
      },
      {
        q: 'I have had blood in my stool for a month. Is it cancer or hemorrhoids? I do not want to see a doctor',
        specific: 'Hemorrhoids are the most common cause, but a month of bleeding needs an examination and possibly a colonoscopy to rule out other causes.',
        note: 'Rectal bleeding for one month, refuses to see a doctor.',
      },
    ],
  },
  {
    specialty: 'pediatrics',
    lang: 'en',
    think: 'Fever in a young infant can be the only sign of a serious infection, and infant doses must be weight-based and set by a clinician.',
    steps: [
      'A baby under 3 months with a temperature of 100.4°F (38°C) or higher needs to be seen by a doctor right away, day or night',
      'Do not give fever medicine to a baby this young unless a doctor tells you to',
      'Keep feeding and do not over-bundle',
      'Call 911 if the baby is hard to wake, breathing fast or with effort, or has a rash that does not fade when pressed',
    ],
    close: 'With young babies, it is always better to be checked early.',
    variants: [
      {
        q: 'My 2-month-old has a fever after her vaccines, how much infant Motrin can I give?',
        specific: 'Ibuprofen is not used in babies under 6 months, and dosing for a baby this young should come from your pediatrician, who can also tell you whether this fever fits a vaccine reaction.',
        note: 'Post-vaccine fever in 2-month-old, asks ibuprofen dose.',
      },
      {
        q: 'My 6-week-old has a fever of 100.8F. Can I give her infant Tylenol, and how much?',
        specific: 'At six weeks old, a fever of 100.8°F needs a same-day medical assessment, and I cannot give a dose for a baby this young.',
        note: 'Six-week-old with fever, asking for acetaminophen dose.',
      },
      {
        q: 'My newborn is 10 days old, feeding poorly and feels hot, should I wait until morning?',
        specific: 'Please do not wait: poor feeding with fever in a 10-day-old baby needs emergency care tonight.',
        note: 'Neonate with fever and poor feeding.',
      },
    ],
  },
];
