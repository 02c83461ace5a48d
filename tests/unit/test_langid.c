/*
 * test_langid.c - language identification on our own sentences (asserted:
 * >= 95% per language) and, when the shared benchmarks are present, on the
 * benchmark test sets (accuracy printed, with a regression floor asserted).
 *
 * The benchmarks live outside the repository ($STANCE_SOURCE_DIR/../shared/
 * benchmarks); without them that part is reported as skipped and the rest of
 * the test still runs.
 */
#include "check.h"
#include "langid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* Ukrainian news sentences; numbers 31-50 are written without і ї є ґ
 * (the test checks that), so only words and endings can tell them. */
static const char *const own_uk[] = {
    "Уряд ухвалив новий закон про податки для малого бізнесу.",
    "Президент підписав указ про мобілізацію резервістів.",
    "У Києві відбулася зустріч міністрів закордонних справ.",
    "Верховна Рада проголосувала за бюджет на наступний рік.",
    "Ворог обстріляв Харків уночі, загинули двоє людей.",
    "Синоптики прогнозують сильні дощі та грози на заході країни.",
    "Національний банк залишив облікову ставку без змін.",
    "Рятувальники ліквідували пожежу на складі в Одесі.",
    "Ціни на пальне зросли вже втретє за місяць.",
    "Прем'єр-міністр заявив, що енергосистема працює стабільно.",
    "Поліція затримала чоловіка, який пограбував ювелірний магазин.",
    "Футбольна збірна України перемогла Італію з рахунком два-нуль.",
    "Мер міста пообіцяв відремонтувати дороги до кінця літа.",
    "Учені зі Львова створили новий тест для виявлення хвороби.",
    "Кабмін виділив кошти на відновлення зруйнованих шкіл.",
    "Депутати не змогли ухвалити рішення через відсутність кворуму.",
    "Вступна кампанія до університетів стартує першого липня.",
    "Нафтогаз повідомив про збільшення видобутку газу.",
    "Суд заарештував майно колишнього голови митниці.",
    "Ми продовжуємо працювати попри всі труднощі.",
    "Аграрії зібрали рекордний урожай пшениці цього року.",
    "Мешканців прифронтових сіл закликають евакуюватися.",
    "Він наголосив, що переговори тривають.",
    "Українські військові відбили атаку поблизу Бахмута.",
    "На кордоні з Польщею утворилася черга з вантажівок.",
    "Школярі складатимуть національний мультипредметний тест.",
    "Вона розповіла журналістам про свою роботу в лікарні.",
    "Ця новина швидко поширилася в соцмережах.",
    "Голова облдержадміністрації провів нараду щодо опалювального сезону.",
    "Експерти прогнозують зниження курсу гривні наприкінці року.",
    "Уряд ухвалив новий закон про податки.",
    "Прокуратура розпочала провадження за фактом нападу на волонтера.",
    "Ворог знову атакував енергетичну систему держави.",
    "Мер запевнив, що тролейбуси курсуватимуть за новим розкладом.",
    "Синоптики попереджають про грози та зливи у середу.",
    "Уряд продовжив карантин до травня.",
    "Ми разом переможемо, наголосив генерал.",
    "Бензин подорожчав удруге за тиждень.",
    "Футбольна команда програла вдома з рахунком нуль-два.",
    "Депутати знову не змогли домовитися щодо бюджету.",
    "Патруль зупинив вантажну машину, що порушила правила руху.",
    "Вона сказала, що буде голосувати проти.",
    "Цю постанову ухвалили одноголосно.",
    "Чому влада мовчить про це?",
    "Вчора в Одесу прибув корабель з зерном.",
    "Його заяву прокоментував посол США.",
    "Парламент ухвалив закон про медичну реформу.",
    "Зараз тривають пошуки постраждалих.",
    "Мешканцям радять не виходити з дому.",
    "Програма допомоги буде працювати до грудня.",
    "Міністерство охорони здоров'я оновило рекомендації щодо вакцинації.",
    "Тисячі людей вийшли на мітинг на підтримку незалежних медіа.",
    "Енергетики попереджають про можливі відключення світла ввечері.",
    "Компанія планує відкрити завод у Вінниці наступного року.",
    "Через негоду без світла залишилися понад сто населених пунктів.",
    "Окупанти знову обстріляли Херсон з артилерії.",
    "Він був єдиним свідком цієї аварії.",
    "Ґрунтові дороги розмило після сильних дощів.",
    "Вчителі вимагають підвищення заробітної плати.",
    "Учора ввечері над областю збили два ворожі дрони.",
};

/* Ukrainian tweet-style sentences. */
static const char *const own_uk_informal[] = {
    "Доброго ранку, як ваші справи?",
    "Не можу повірити, що вже п'ятниця",
    "Нарешті вихідні!!!",
    "Слава Україні! Героям слава!",
    "дуже сумно через цю новину",
    "хто знає, коли буде світло?",
    "Ну що, знову без світла сидимо",
    "купив квиток на концерт, чекаю",
    "сьогодні така гарна погода",
    "всім гарного вечора",
    "Мама приготувала борщ, це найкраще",
    "коли вже закінчиться ця зима",
    "Треба більше спати",
    "наш кіт знову розбив чашку",
    "обожнюю цей серіал",
    "ненавиджу понеділки",
    "Вибачте, я помилився",
    "дякую всім за привітання",
    "а ви вже бачили новий трейлер?",
    "знову тривога, всі в укриття",
    "Ціни в магазинах просто жах",
    "Завтра йду на співбесіду, тримайте кулаки",
    "Шкода, що так сталося",
    "нова пісня просто вогонь",
    "Працюю з дому вже третій тиждень",
    "Нарешті зробив ремонт у квартирі",
    "Коли ж це все закінчиться",
    "Зранку пила каву на балконі",
    "Хлопці, хто йде на футбол?",
    "Яка ж гарна осінь цього року",
    "Рада провалила голосування за закон",
    "Уряд готує нову програму для ветеранів",
    "Мер заборонив продаж алкоголю вночі",
    "Депутат подав у відставку",
    "Курс долара знову зростає",
};

/* Russian; several have no ы э ё ("Он сказал, что переговоры продолжаются."). */
static const char *const own_ru[] = {
    "Правительство утвердило новый бюджет на следующий год.",
    "В Москве прошла встреча министров иностранных дел.",
    "Президент подписал указ о мобилизации резервистов.",
    "Цены на бензин выросли уже третий раз за месяц.",
    "Полиция задержала мужчину, который ограбил ювелирный магазин.",
    "Он сказал, что переговоры продолжаются.",
    "Синоптики прогнозируют сильные дожди и грозы на западе страны.",
    "Мэр пообещал отремонтировать дороги до конца лета.",
    "Она рассказала журналистам о своей работе в больнице.",
    "Вчера вечером над областью сбили два вражеских дрона.",
    "Я не понимаю, почему все молчат.",
    "Спасибо всем, кто пришел на концерт!",
    "Депутаты не смогли принять решение из-за отсутствия кворума.",
    "Центробанк сохранил ключевую ставку без изменений.",
    "Это лучший фильм, который я видел в этом году.",
    "Мы продолжаем работать несмотря на все трудности.",
    "Когда уже закончится эта зима?",
    "Ученые из Новосибирска создали новый тест для диагностики болезни.",
    "Суд арестовал имущество бывшего главы таможни.",
    "Жители прифронтовых сел жалуются на отсутствие света.",
};

/* Bulgarian; half have no ъ ("Защо никой не казва истината за това?"). */
static const char *const own_bg[] = {
    "Правителството прие новия бюджет за следващата година.",
    "Министърът на финансите обяви нови мерки срещу инфлацията.",
    "В София се проведе среща на външните министри.",
    "Цените на горивата се повишиха за трети път този месец.",
    "Полицията задържа мъж, който обрал бижутериен магазин.",
    "Той каза, че преговорите продължават.",
    "Синоптиците прогнозират силни дъждове и гръмотевици в западната част на страната.",
    "Кметът обеща да ремонтира пътищата до края на лятото.",
    "Тя разказа на журналистите за работата си в болницата.",
    "Депутатите не успяха да вземат решение заради липса на кворум.",
    "Филмът е страхотен, гледах го два пъти.",
    "Не ми хареса, много скучно и предвидимо.",
    "Защо никой не казва истината за това?",
    "Тази вечер ще вали сняг в планините.",
    "Учените от Пловдив създадоха нов тест за диагностика на болестта.",
    "Съдът запорира имуществото на бившия шеф на митниците.",
    "Жителите на селата се оплакват от липсата на ток.",
    "Ние продължаваме да работим въпреки всички трудности.",
    "Когато дойде пролетта, ще отидем на море.",
    "Благодаря на всички, които дойдоха на концерта!",
};

/* English. */
static const char *const own_en[] = {
    "The government approved a new budget for next year.",
    "Police arrested a man who robbed a jewelry store.",
    "I can't believe how cold it is today!",
    "Prices for gasoline rose for the third time this month.",
    "She told reporters about her work at the hospital.",
    "Stop killing innocent people. #NoWar",
    "Ministers met in Brussels to discuss sanctions.",
    "Great game tonight, what a goal!",
    "Russia launched missiles at Kyiv overnight.",
    "Why does nobody talk about this?",
    "The mayor promised to repair the roads by the end of summer.",
    "Climate change is the biggest threat we face.",
    "Thank you all for coming to the concert!",
    "Scientists developed a new test to detect the disease early.",
    "Parliament failed to reach a decision due to lack of quorum.",
    "Feminism is about equality, not hate. #SemST",
    "Heavy rain and thunderstorms are expected in the west.",
    "He said negotiations are continuing.",
    "Love wins. Always.",
    "Just watched the debate, both candidates were terrible.",
};
static const char *detect(const char *s)
{
    return langid_detect(s, strlen(s), 0);
}

/* Checks one set, prints its accuracy and the misses, returns the accuracy. */
static double check_own_set(const char *name, const char *const *texts, size_t n, const char *want)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        double conf = -1;
        const char *got = langid_detect_ex(texts[i], strlen(texts[i]), 0, &conf);
        CHECK(conf >= 0.0 && conf <= 1.0);
        if (strcmp(got, want) == 0)
            ok++;
        else
            printf("  miss %s: got %s (%.2f): %s\n", name, got, conf, texts[i]);
    }
    double acc = (double)ok / (double)n;
    printf("own %-12s %3zu/%3zu = %.4f\n", name, ok, n, acc);
    return acc;
}

static void test_own_sentences(void)
{
    CHECK(COUNTOF(own_uk) == 60);
    CHECK(COUNTOF(own_ru) == 20 && COUNTOF(own_bg) == 20 && COUNTOF(own_en) == 20);
    /* Sentences 31-50 must really be free of the letters that give Ukrainian away. */
    for (size_t i = 30; i < 50; i++) {
        const char *s = own_uk[i];
        CHECK(!strstr(s, "і") && !strstr(s, "ї") && !strstr(s, "є") && !strstr(s, "ґ") &&
              !strstr(s, "І") && !strstr(s, "Ї") && !strstr(s, "Є") && !strstr(s, "Ґ"));
    }
    CHECK(check_own_set("uk", own_uk, COUNTOF(own_uk), "uk") >= 0.95);
    CHECK(check_own_set("uk-noletter", own_uk + 30, 20, "uk") >= 0.95);
    CHECK(check_own_set("uk-informal", own_uk_informal, COUNTOF(own_uk_informal), "uk") >= 0.95);
    CHECK(check_own_set("ru", own_ru, COUNTOF(own_ru), "ru") >= 0.95);
    CHECK(check_own_set("bg", own_bg, COUNTOF(own_bg), "bg") >= 0.95);
    CHECK(check_own_set("en", own_en, COUNTOF(own_en), "en") >= 0.95);
}

static void test_edge_cases(void)
{
    double conf = -1;
    CHECK_STR(langid_detect(NULL, 0, 0), "und");
    CHECK_STR(langid_detect_ex("", 0, 0, &conf), "und");
    CHECK(conf == 0.0);
    CHECK_STR(detect("12345 !!! 😀😀"), "und");
    CHECK_STR(detect("ab"), "und"); /* fewer than 3 letters */
    CHECK_STR(detect("https://t.co/xyz @someone"), "und");
    langid_detect_ex("https://t.co/xyz", 16, 0, NULL); /* NULL confidence is allowed */

    /* Invalid UTF-8 is skipped byte by byte, never read past len. */
    const char bad[] = "\xff\xfe Це \xc3 новина \xe2\x82 про \xf0\x9f\x98 війну \xed\xa0\x80";
    CHECK_STR(langid_detect(bad, sizeof bad - 1, 0), "uk");
    const char cut[] = "Это новость \xd0"; /* truncated 2-byte sequence at the end */
    CHECK_STR(langid_detect(cut, sizeof cut - 1, 0), "ru");
    /* len is respected: the Ukrainian tail is not looked at. */
    const char *mixed = "Это новость о том, что было. Це новина про те, що було і є.";
    CHECK_STR(langid_detect(mixed, strlen("Это новость о том, что было."), 0), "ru");
    /* max_bytes limits the look: the first 30 bytes are Russian only. */
    CHECK_STR(langid_detect(mixed, strlen(mixed), 30), "ru");

    /* A long text (> default 4096 bytes) only has its head read. */
    size_t unit = strlen("Це новина про війну. ");
    size_t reps = 400;
    char *big = malloc(unit * reps + 64);
    CHECK(big != NULL);
    if (big) {
        size_t len = 0;
        for (size_t i = 0; i < reps; i++) {
            memcpy(big + len, "Це новина про війну. ", unit);
            len += unit;
        }
        memcpy(big + len, "The end.", 8);
        len += 8;
        CHECK_STR(langid_detect_ex(big, len, 0, &conf), "uk");
        CHECK(conf > 0.85);
        free(big);
    }
}

static void test_rules(void)
{
    double conf;
    /* Mixed keyboards: Latin i inside Cyrillic words is Ukrainian і. */
    CHECK_STR(detect("Вiн сказав, що вiйна триватиме"), "uk");
    /* Ukrainian apostrophe inside a word. */
    CHECK_STR(detect("п'ять м'ячів"), "uk");
    CHECK_STR(detect("п’ять м’ячів"), "uk");
    /* The letter after an inner apostrophe belongs to the word: the contractions, not the one
     * German word, decide (when that letter was dropped, "isn't" was looked up as "isn'"). */
    CHECK_STR(detect("Nicht? Isn't, wasn't, doesn't."), "en");
    /* Ordinal endings glued to numbers are not the Ukrainian word "й". */
    CHECK_STR(detect("на 40-й, 80-й и 90-й минуте"), "ru");
    /* ъ before е/ё/ю/я is the Russian separator, elsewhere Bulgarian. */
    CHECK_STR(detect("объявил о съезде"), "ru");
    CHECK_STR(detect("градът към морето"), "bg");
    /* Laughter has no language-specific ending. */
    CHECK_STR(detect("Ахахахаха, ну ты даешь"), "ru");
    /* Bulgarian "да" before a verb vs Russian "да" = yes. */
    CHECK_STR(detect("Искам да дойда утре"), "bg");
    CHECK_STR(detect("Да, конечно"), "ru");
    /* Two-code-point ѝ (и + combining grave) is Bulgarian ѝ. */
    CHECK_STR(detect("каза \xd0\xb8\xcc\x80 нещо"), "bg");
    /* Russian news with Latin names: the Cyrillic words decide. */
    CHECK_STR(detect("Verizon получит такие активы компании, как Yahoo Sports, Yahoo Finance, "
                     "Tumblr, Flurry, Gemini и другие."),
              "ru");
    CHECK_STR(detect("Ни дня без #няши https://t.co/x #FateGO #FateGrandOrder #Penguins"), "ru");
    /* A bare name has no evidence: "ru" at chance-level confidence. */
    CHECK_STR(langid_detect_ex("Путин", strlen("Путин"), 0, &conf), "ru");
    CHECK(fabs(conf - 1.0 / 7.0) < 1e-9);
    /* Clear texts get high confidence. */
    langid_detect_ex(own_uk[0], strlen(own_uk[0]), 0, &conf);
    CHECK(conf > 0.6);

    /* Optional Cyrillic languages, only with their own letters. */
    CHECK_STR(detect("Рэжым ужо зусім страціў прастору, і гэта было бачна ўсім"), "be");
    CHECK_STR(detect("Ово је још један дан у Београду, али ништа није ново"), "sr");
    CHECK_STR(detect("Ова е убава куќа, која ќе ја продадеме"), "mk");
    CHECK_STR(detect("Қазақстан және Ресей бұл мәселені талқылады"), "kk");
    CHECK_STR(detect("Кўп яшанглар, бахтли бўлинглар! Ҳаво совуқ"), "und");        /* Uzbek */
    CHECK_STR(detect("Татарстан Республикасы Рәисе җыелышта чыгыш ясады"), "und"); /* Tatar */

    /* Other scripts. */
    CHECK_STR(detect("Η κυβέρνηση ενέκρινε τον προϋπολογισμό"), "el");
    CHECK_STR(detect("وافقت الحكومة على الميزانية الجديدة"), "ar");
    CHECK_STR(detect("הממשלה אישרה את התקציב"), "he");
    CHECK_STR(detect("政府批准了新的预算"), "zh");
    CHECK_STR(detect("政府は新しい予算を承認しました"), "ja");
    CHECK_STR(detect("정부가 새 예산을 승인했다"), "ko");
    CHECK_STR(detect("მთავრობამ ახალი ბიუჯეტი დაამტკიცა"), "ka");
    CHECK_STR(detect("Կառավարությունը հաստատեց նոր բյուջեն"), "hy");
    CHECK_STR(detect("सरकार ने नया बजट मंजूर किया"), "und");

    /* Optional Latin languages need clear evidence; English is the default. */
    CHECK_STR(detect("Der Mann hat Recht, und die Regierung ist nicht bereit"), "de");
    CHECK_STR(detect("Le gouvernement a approuvé le budget pour l'année prochaine"), "fr");
    CHECK_STR(detect("El gobierno aprobó el presupuesto para el próximo año"), "es");
    CHECK_STR(detect("Il governo ha approvato il bilancio della città"), "it");
    CHECK_STR(detect("Rząd przyjął budżet na przyszły rok, ale opozycja jest przeciw"), "pl");
    CHECK_STR(detect("#SemST #Hillary2016"), "en");
}

/* ---- shared benchmarks --------------------------------------------------- */

/* Reads a whole file; caller frees. NULL if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Parses the next CSV field (RFC 4180: quotes, doubled quotes, newlines in
 * quotes) starting at *pos, unquoting it in place. Returns its start and sets
 * *flen; *end_of_record tells whether the field ended its record. */
static char *csv_field(char *buf, size_t len, size_t *pos, size_t *flen, int *end_of_record)
{
    size_t i = *pos, out = *pos;
    char *start = buf + *pos;
    if (i < len && buf[i] == '"') {
        i++;
        while (i < len) {
            if (buf[i] == '"' && i + 1 < len && buf[i + 1] == '"') {
                buf[out++] = '"';
                i += 2;
            } else if (buf[i] == '"') {
                i++;
                break;
            } else {
                buf[out++] = buf[i++];
            }
        }
    } else {
        while (i < len && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
            buf[out++] = buf[i++];
    }
    *flen = (size_t)(buf + out - start);
    if (i < len && buf[i] == '\r')
        i++;
    *end_of_record = i >= len || buf[i] == '\n';
    if (i < len)
        i++; /* the ',' or '\n' */
    *pos = i;
    return start;
}

typedef struct {
    long total, ok;             /* all texts */
    long total_words, ok_words; /* texts with >= 3 letters */
    long by_code[16];
    const char *codes[16];
    int ncodes;
} bench_result;

static void bench_count(bench_result *r, const char *got)
{
    int k;
    for (k = 0; k < r->ncodes; k++)
        if (strcmp(r->codes[k], got) == 0)
            break;
    if (k == r->ncodes && r->ncodes < 16)
        r->codes[r->ncodes++] = got;
    if (k < 16)
        r->by_code[k]++;
}

/* Runs langid over the `text` column of a benchmark CSV. 0 if it is absent. */
static int bench_file(const char *path, const char *want, bench_result *r, double *seconds)
{
    size_t len;
    char *buf = read_file(path, &len);
    if (!buf)
        return 0;
    memset(r, 0, sizeof *r);
    size_t pos = 0, flen;
    int eor = 0, col = 0, text_col = -1;
    while (!eor && pos < len) { /* header */
        char *f = csv_field(buf, len, &pos, &flen, &eor);
        if (flen == 4 && memcmp(f, "text", 4) == 0)
            text_col = col;
        col++;
    }
    CHECK(text_col >= 0);
    clock_t t0 = clock();
    while (text_col >= 0 && pos < len) {
        col = 0;
        eor = 0;
        char *text = NULL;
        size_t text_len = 0;
        while (!eor && pos < len) {
            char *f = csv_field(buf, len, &pos, &flen, &eor);
            if (col++ == text_col) {
                text = f;
                text_len = flen;
            }
        }
        if (!text)
            continue;
        double conf;
        const char *got = langid_detect_ex(text, text_len, 0, &conf);
        int good = strcmp(got, want) == 0;
        /* "und" with confidence 0 is exactly "fewer than 3 letters". */
        int few_letters = strcmp(got, "und") == 0 && conf == 0.0;
        r->total++;
        r->ok += good;
        if (!few_letters) {
            r->total_words++;
            r->ok_words += good;
        }
        bench_count(r, got);
    }
    *seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    free(buf);
    return 1;
}

static void test_benchmarks(void)
{
    static const struct {
        const char *file, *lang;
        double floor; /* accuracy on texts with >= 3 letters; a regression guard */
    } sets[] = {
        {"rusentitweet/test.csv", "ru", 0.95},
        {"rusentne2023/test.csv", "ru", 0.99},
        {"cinexio_bg/test.csv", "bg", 0.94},
        {"semeval2016_task6/test.csv", "en", 0.99},
    };
    const char *src = getenv("STANCE_SOURCE_DIR");
    if (!src)
        src = ".";
    for (size_t i = 0; i < COUNTOF(sets); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/../shared/benchmarks/%s", src, sets[i].file);
        bench_result r;
        double seconds = 0;
        if (!bench_file(path, sets[i].lang, &r, &seconds)) {
            printf("benchmark %s: skipped (not found at %s)\n", sets[i].file, path);
            continue;
        }
        double acc = r.total ? (double)r.ok / (double)r.total : 0;
        double acc_words = r.total_words ? (double)r.ok_words / (double)r.total_words : 0;
        printf("benchmark %-28s %s: %ld/%ld = %.4f; texts with >= 3 letters %ld/%ld = %.4f;"
               " %.1f us/text; got",
               sets[i].file, sets[i].lang, r.ok, r.total, acc, r.ok_words, r.total_words, acc_words,
               r.total ? seconds * 1e6 / (double)r.total : 0.0);
        for (int k = 0; k < r.ncodes; k++)
            printf(" %s=%ld", r.codes[k], r.by_code[k]);
        printf("\n");
        CHECK(acc_words >= sets[i].floor);
    }
}

int main(void)
{
    CHECK(langid_tables_ok());
    test_own_sentences();
    test_edge_cases();
    test_rules();
    test_benchmarks();
    return check_finish();
}
