/*
 * langid.c - rule-based language identification (see langid.h for the method).
 *
 * Why rules and not a character n-gram model: there is no Ukrainian training
 * data in the project, the languages that matter (ru, uk, bg) are separated
 * far better by a few hundred known function words, alphabet differences and
 * inflection endings than by generic n-gram statistics on 10-word texts, and
 * static tables keep the function pure and the binary small.
 *
 * Evidence weights are points, roughly log-odds: 3 = "almost only this
 * language", 1 = "more typical of it", 0.3 = "shared, weak". A word's weight
 * for a language counts once per occurrence; a word that is in the word table
 * gets no suffix evidence (its ending says nothing new); among suffixes only
 * the longest match per language counts, so "-ского" is not also "-ого" and
 * a specific ending can overrule a general one ("-кий" is as Russian as it is
 * Ukrainian, "-ий" after other consonants is mostly Ukrainian).
 */
#include "langid.h"

#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shortcopy.h"

enum langid_lang {
    L_RU,
    L_UK,
    L_BG,
    L_BE,
    L_SR,
    L_MK,
    L_KK,
    L_EN,
    L_DE,
    L_FR,
    L_ES,
    L_IT,
    L_PL,
    L_COUNT
};

static const char *const langid_codes[L_COUNT] = {"ru", "uk", "bg", "be", "sr", "mk", "kk",
                                                  "en", "de", "fr", "es", "it", "pl"};

#define L_CYR_FIRST L_RU
#define L_CYR_LAST L_KK
#define L_LAT_FIRST L_EN
#define L_LAT_LAST L_PL

enum langid_script {
    S_LATIN,
    S_CYRILLIC,
    S_GREEK,
    S_ARABIC,
    S_HEBREW,
    S_HAN,
    S_KANA,
    S_HANGUL,
    S_GEORGIAN,
    S_ARMENIAN,
    S_OTHER, /* letters of scripts we give no code (Indic, Thai, ...) */
    S_NONE,  /* not a letter */
    S_COUNT = S_NONE
};

/* ---- evidence tables --------------------------------------------------- */

typedef struct {
    const char *text; /* lower-case UTF-8 */
    unsigned char lang;
    float weight;
} langid_entry;

/* Whole words. A word useful for several languages has one entry per language. */
/* clang-format off */
static const langid_entry langid_words[] = {
    /* ---- Russian ---- */
    {"что", L_RU, 3},        {"чтобы", L_RU, 3},      {"это", L_RU, 3},
    {"этот", L_RU, 3},       {"эта", L_RU, 3},        {"эти", L_RU, 3},
    {"этого", L_RU, 3},      {"этом", L_RU, 3},       {"этой", L_RU, 3},
    {"как", L_RU, 2},        {"так", L_RU, 0.5f},     {"и", L_RU, 1.2f},
    {"в", L_RU, 0.7f},       {"во", L_RU, 1},         {"с", L_RU, 1.2f},
    {"со", L_RU, 2},         {"к", L_RU, 2},          {"ко", L_RU, 2},
    {"у", L_RU, 1},          {"о", L_RU, 1},          {"об", L_RU, 1.5f},
    {"из", L_RU, 1.2f},      {"от", L_RU, 1},         {"по", L_RU, 0.8f},
    {"за", L_RU, 0.4f},      {"на", L_RU, 0.3f},      {"не", L_RU, 0.3f},
    {"но", L_RU, 1},         {"а", L_RU, 0.3f},       {"же", L_RU, 2},
    {"бы", L_RU, 2},         {"ли", L_RU, 0.5f},      {"он", L_RU, 2.5f},
    {"она", L_RU, 2.5f},     {"оно", L_RU, 2.5f},     {"они", L_RU, 2.5f},
    {"мы", L_RU, 2.5f},      {"вы", L_RU, 2},         {"ты", L_RU, 2},
    {"его", L_RU, 2.5f},     {"ее", L_RU, 2},         {"её", L_RU, 3},
    {"их", L_RU, 2},         {"им", L_RU, 0.5f},      {"ему", L_RU, 2.5f},
    {"ей", L_RU, 2.5f},      {"нам", L_RU, 0.3f},     {"нас", L_RU, 0.3f},
    {"был", L_RU, 3},        {"была", L_RU, 3},       {"было", L_RU, 3},
    {"были", L_RU, 3},       {"будет", L_RU, 3},      {"будут", L_RU, 3},
    {"быть", L_RU, 3},       {"есть", L_RU, 3},       {"уже", L_RU, 2.5f},
    {"еще", L_RU, 2.5f},     {"ещё", L_RU, 3},        {"также", L_RU, 2.5f},
    {"тоже", L_RU, 2.5f},    {"только", L_RU, 2.5f},  {"если", L_RU, 2.5f},
    {"или", L_RU, 1.2f},     {"все", L_RU, 0.8f},     {"всё", L_RU, 3},
    {"всех", L_RU, 1},       {"когда", L_RU, 2.5f},   {"где", L_RU, 2.5f},
    {"который", L_RU, 3},    {"которая", L_RU, 3},    {"которые", L_RU, 3},
    {"которых", L_RU, 3},    {"которое", L_RU, 3},    {"которого", L_RU, 3},
    {"которой", L_RU, 3},    {"может", L_RU, 2.5f},   {"можно", L_RU, 2.5f},
    {"нет", L_RU, 2.5f},     {"нужно", L_RU, 2.5f},   {"надо", L_RU, 2},
    {"очень", L_RU, 3},      {"после", L_RU, 2.5f},   {"между", L_RU, 1.5f},
    {"через", L_RU, 0.7f},   {"при", L_RU, 0.8f},     {"года", L_RU, 1.5f},
    {"году", L_RU, 2.5f},    {"лет", L_RU, 1.5f},     {"себя", L_RU, 2.5f},
    {"себе", L_RU, 0.7f},    {"сказал", L_RU, 2.5f},  {"заявил", L_RU, 2.5f},
    {"сообщил", L_RU, 3},    {"россии", L_RU, 2},     {"россия", L_RU, 2},
    {"рф", L_RU, 0.8f},      {"сша", L_RU, 0.7f},     {"сегодня", L_RU, 3},
    {"сейчас", L_RU, 3},     {"теперь", L_RU, 3},     {"здесь", L_RU, 3},
    {"даже", L_RU, 2.5f},    {"меня", L_RU, 2.5f},    {"мне", L_RU, 2.5f},
    {"тебя", L_RU, 2.5f},    {"тебе", L_RU, 0.8f},    {"чем", L_RU, 2},
    {"чего", L_RU, 2.5f},    {"кто", L_RU, 2.5f},     {"ничего", L_RU, 2.5f},
    {"пока", L_RU, 2},       {"против", L_RU, 0.8f},  {"под", L_RU, 1.5f},
    {"про", L_RU, 0.8f},     {"то", L_RU, 0.8f},      {"того", L_RU, 0.8f},
    {"тем", L_RU, 1.5f},     {"том", L_RU, 1.5f},     {"вот", L_RU, 2.5f},
    {"ну", L_RU, 1},         {"просто", L_RU, 1},     {"вообще", L_RU, 3},
    {"почему", L_RU, 3},     {"потому", L_RU, 3},     {"хорошо", L_RU, 3},
    {"спасибо", L_RU, 3},    {"привет", L_RU, 3},     {"человек", L_RU, 2.5f},
    {"время", L_RU, 2.5f},   {"жизнь", L_RU, 3},      {"лучше", L_RU, 2.5f},
    {"более", L_RU, 2.5f},   {"около", L_RU, 1.2f},   {"однако", L_RU, 2.5f},
    {"ранее", L_RU, 2.5f},   {"является", L_RU, 3},   {"являются", L_RU, 3},
    {"стал", L_RU, 2},       {"стало", L_RU, 2},      {"стали", L_RU, 1.5f},
    {"тысяч", L_RU, 2.5f},   {"рублей", L_RU, 3},     {"долларов", L_RU, 2.5f},
    {"чо", L_RU, 2},         {"че", L_RU, 0.5f},      {"щас", L_RU, 2},
    {"типа", L_RU, 1.5f},    {"блин", L_RU, 2},       {"кстати", L_RU, 3},
    {"вдруг", L_RU, 3},      {"опять", L_RU, 3},      {"снова", L_RU, 2.5f},
    {"сразу", L_RU, 2.5f},   {"хочу", L_RU, 1},       {"хотя", L_RU, 2.5f},
    {"наш", L_RU, 0.5f},     {"свой", L_RU, 1.5f},    {"своей", L_RU, 2},
    {"своих", L_RU, 1},      {"несколько", L_RU, 3},  {"всего", L_RU, 2},
    {"ни", L_RU, 1.2f},      {"сам", L_RU, 0.5f},     {"будто", L_RU, 2.5f},
    {"мой", L_RU, 1.5f},     {"моя", L_RU, 1},        {"мои", L_RU, 2},
    {"твой", L_RU, 2},       {"января", L_RU, 3},     {"февраля", L_RU, 3},
    {"марта", L_RU, 1},      {"апреля", L_RU, 3},     {"мая", L_RU, 1.5f},
    {"июня", L_RU, 3},       {"июля", L_RU, 3},       {"августа", L_RU, 2},
    {"сентября", L_RU, 3},   {"октября", L_RU, 3},    {"ноября", L_RU, 3},
    {"декабря", L_RU, 3},    {"час", L_RU, 0.5f},     {"людей", L_RU, 0.5f},
    {"люди", L_RU, 0.5f},    {"из-за", L_RU, 3},      {"всегда", L_RU, 3},
    {"никогда", L_RU, 3},    {"ничто", L_RU, 3},      {"сколько", L_RU, 3},
    {"много", L_RU, 1.2f},   {"тогда", L_RU, 3},      {"потом", L_RU, 3},
    {"тут", L_RU, 0.7f},     {"там", L_RU, 0.5f},     {"новости", L_RU, 1},
    {"говорит", L_RU, 2.5f}, {"знаю", L_RU, 1},       {"какой", L_RU, 3},
    {"какая", L_RU, 3},      {"какие", L_RU, 3},      {"такой", L_RU, 3},
    {"такая", L_RU, 3},      {"такие", L_RU, 3},      {"самый", L_RU, 3},
    {"нибудь", L_RU, 3},     {"либо", L_RU, 1.5f},    {"я", L_RU, 0.8f},
    {"я", L_UK, 0.8f},       {"я", L_BG, 0.3f},       {"будь", L_RU, 0.5f},
    {"кого", L_RU, 1},       {"кого", L_UK, 1},       {"дали", L_RU, 1},
    {"две", L_RU, 1.5f},     {"насколько", L_RU, 3},  {"настолько", L_RU, 3},
    {"отец", L_RU, 2},       {"весь", L_RU, 1},       {"конечно", L_RU, 3},
    {"почти", L_RU, 1},      {"притом", L_RU, 2},     {"зачем", L_RU, 3},
    {"чему", L_RU, 2},       {"руб", L_RU, 2},        {"вся", L_RU, 2.5f},
    {"жду", L_RU, 1.5f},     {"буду", L_RU, 1},       {"буду", L_UK, 1},
    {"плиз", L_RU, 1},       {"пж", L_RU, 2},         {"спс", L_RU, 2},
    {"пасибо", L_RU, 3},     {"ладно", L_RU, 3},      {"вроде", L_RU, 3},
    {"пофиг", L_RU, 3},      {"короче", L_RU, 2},     {"какого", L_RU, 3},
    {"нравится", L_RU, 3},   {"хочется", L_RU, 3},    {"слишком", L_RU, 3},
    {"вас", L_RU, 0.3f},     {"люблю", L_RU, 1},      {"люблю", L_UK, 0.8f},
    {"сих", L_RU, 3},        {"него", L_RU, 1},       {"никто", L_RU, 3},
    {"ребята", L_RU, 3},     {"нечего", L_RU, 3},     {"вместе", L_RU, 2},
    /* ---- Ukrainian ---- */
    {"і", L_UK, 2},          {"й", L_UK, 2.5f},       {"та", L_UK, 1.5f},
    {"що", L_UK, 3},         {"щоб", L_UK, 3},        {"це", L_UK, 3},
    {"цей", L_UK, 3},        {"ця", L_UK, 3},         {"ці", L_UK, 3},
    {"цього", L_UK, 3},      {"цьому", L_UK, 3},      {"цих", L_UK, 3},
    {"цим", L_UK, 3},        {"цю", L_UK, 3},         {"цієї", L_UK, 3},
    {"як", L_UK, 1.5f},      {"від", L_UK, 3},        {"для", L_UK, 1},
    {"про", L_UK, 1.2f},     {"його", L_UK, 3},       {"її", L_UK, 3},
    {"їх", L_UK, 3},         {"їй", L_UK, 3},         {"йому", L_UK, 3},
    {"був", L_UK, 3},        {"була", L_UK, 3},       {"було", L_UK, 3},
    {"були", L_UK, 3},       {"буде", L_UK, 3},       {"будуть", L_UK, 3},
    {"бути", L_UK, 3},       {"має", L_UK, 3},        {"мають", L_UK, 3},
    {"є", L_UK, 3},          {"також", L_UK, 3},      {"теж", L_UK, 2.5f},
    {"вже", L_UK, 3},        {"ще", L_UK, 1.2f},      {"але", L_UK, 3},
    {"або", L_UK, 3},        {"якщо", L_UK, 3},       {"коли", L_UK, 2},
    {"де", L_UK, 1.5f},      {"тому", L_UK, 1.2f},    {"бо", L_UK, 2.5f},
    {"лише", L_UK, 3},       {"тільки", L_UK, 3},     {"чи", L_UK, 2.5f},
    {"ми", L_UK, 1.2f},      {"ви", L_UK, 1.5f},      {"вони", L_UK, 3},
    {"він", L_UK, 3},        {"вона", L_UK, 3},       {"воно", L_UK, 3},
    {"під", L_UK, 3},        {"після", L_UK, 3},      {"через", L_UK, 0.7f},
    {"між", L_UK, 3},        {"який", L_UK, 3},       {"яка", L_UK, 3},
    {"які", L_UK, 3},        {"яке", L_UK, 3},        {"якого", L_UK, 3},
    {"якої", L_UK, 3},       {"яких", L_UK, 3},       {"якій", L_UK, 3},
    {"якому", L_UK, 3},      {"року", L_UK, 1.5f},    {"році", L_UK, 3},
    {"україни", L_UK, 3},    {"україна", L_UK, 3},    {"україні", L_UK, 3},
    {"україну", L_UK, 3},    {"сьогодні", L_UK, 3},   {"зараз", L_UK, 3},
    {"дуже", L_UK, 3},       {"можна", L_UK, 3},      {"може", L_UK, 1},
    {"треба", L_UK, 2.5f},   {"потрібно", L_UK, 3},   {"немає", L_UK, 3},
    {"нема", L_UK, 2},       {"ні", L_UK, 1.5f},      {"усі", L_UK, 3},
    {"всі", L_UK, 3},        {"все", L_UK, 0.8f},     {"свої", L_UK, 3},
    {"своїх", L_UK, 2},      {"з", L_UK, 2.5f},       {"із", L_UK, 3},
    {"зі", L_UK, 3},         {"у", L_UK, 1},          {"в", L_UK, 0.5f},
    {"по", L_UK, 0.5f},      {"за", L_UK, 0.4f},      {"на", L_UK, 0.3f},
    {"не", L_UK, 0.3f},      {"до", L_UK, 0.5f},      {"а", L_UK, 0.3f},
    {"так", L_UK, 0.5f},     {"там", L_UK, 0.5f},     {"тут", L_UK, 0.7f},
    {"проти", L_UK, 3},      {"навіть", L_UK, 3},     {"тобто", L_UK, 3},
    {"саме", L_UK, 2.5f},    {"знову", L_UK, 3},      {"понад", L_UK, 3},
    {"щодо", L_UK, 3},       {"гривень", L_UK, 3},    {"грн", L_UK, 3},
    {"уряд", L_UK, 3},       {"уряду", L_UK, 3},      {"влада", L_UK, 1.5f},
    {"зсу", L_UK, 3},        {"росії", L_UK, 3},      {"росія", L_UK, 2.5f},
    {"рф", L_UK, 0.8f},      {"сша", L_UK, 0.7f},     {"війна", L_UK, 3},
    {"війни", L_UK, 3},      {"війні", L_UK, 3},      {"мене", L_UK, 2},
    {"мені", L_UK, 3},       {"тебе", L_UK, 0.8f},    {"себе", L_UK, 0.8f},
    {"нас", L_UK, 0.3f},     {"нам", L_UK, 0.3f},     {"сказав", L_UK, 3},
    {"заявив", L_UK, 3},     {"повідомив", L_UK, 3},  {"зазначив", L_UK, 3},
    {"наразі", L_UK, 3},     {"адже", L_UK, 3},       {"хоча", L_UK, 3},
    {"разом", L_UK, 3},      {"поки", L_UK, 2.5f},    {"ось", L_UK, 3},
    {"чому", L_UK, 3},       {"нічого", L_UK, 3},     {"хто", L_UK, 3},
    {"мабуть", L_UK, 3},     {"отже", L_UK, 3},       {"проте", L_UK, 3},
    {"однак", L_UK, 2},      {"близько", L_UK, 3},    {"тисяч", L_UK, 2.5f},
    {"людей", L_UK, 0.5f},   {"люди", L_UK, 0.5f},    {"хочу", L_UK, 0.5f},
    {"дякую", L_UK, 3},      {"привіт", L_UK, 3},     {"просто", L_UK, 0.8f},
    {"добре", L_UK, 1.5f},   {"будь", L_UK, 0.5f},    {"ласка", L_UK, 3},
    {"нині", L_UK, 3},       {"наших", L_UK, 1},      {"наш", L_UK, 0.5f},
    {"сам", L_UK, 0.5f},     {"мій", L_UK, 3},        {"моя", L_UK, 1},
    {"мої", L_UK, 3},        {"твій", L_UK, 3},       {"своє", L_UK, 3},
    {"січня", L_UK, 3},      {"лютого", L_UK, 3},     {"березня", L_UK, 3},
    {"квітня", L_UK, 3},     {"травня", L_UK, 3},     {"червня", L_UK, 3},
    {"липня", L_UK, 3},      {"серпня", L_UK, 3},     {"вересня", L_UK, 3},
    {"жовтня", L_UK, 3},     {"листопада", L_UK, 3},  {"грудня", L_UK, 3},
    {"наприклад", L_UK, 3},  {"зокрема", L_UK, 3},    {"відповідно", L_UK, 3},
    {"країни", L_UK, 3},     {"країна", L_UK, 3},     {"місто", L_UK, 3},
    {"міста", L_UK, 3},      {"оголосив", L_UK, 3},   {"повідомляє", L_UK, 3},
    {"час", L_UK, 1},        {"вчора", L_UK, 3},      {"завтра", L_UK, 1},
    {"завтра", L_RU, 1},     {"тоді", L_UK, 3},       {"потім", L_UK, 3},
    {"завжди", L_UK, 3},     {"ніколи", L_UK, 3},     {"скільки", L_UK, 3},
    {"багато", L_UK, 3},     {"новини", L_UK, 3},     {"каже", L_UK, 2},
    {"знаю", L_UK, 1},       {"такий", L_UK, 3},      {"така", L_UK, 1},
    {"такі", L_UK, 3},       {"найбільший", L_UK, 3}, {"більше", L_UK, 3},
    {"менше", L_UK, 3},      {"дві", L_UK, 3},        {"два", L_UK, 0.3f},
    {"три", L_UK, 0.3f},     {"чотири", L_UK, 3},     {"п'ять", L_UK, 3},
    {"вам", L_UK, 0.3f},     {"вас", L_UK, 0.3f},     {"них", L_UK, 0.5f},
    {"ним", L_UK, 0.5f},     {"тих", L_UK, 0.5f},     {"нього", L_UK, 3},
    {"неї", L_UK, 3},        {"обидва", L_UK, 3},     {"внаслідок", L_UK, 3},
    {"стосовно", L_UK, 3},   {"досі", L_UK, 3},       {"вперше", L_UK, 3},
    {"зовсім", L_UK, 3},     {"швидко", L_UK, 3},     {"цілком", L_UK, 3},
    {"чимало", L_UK, 3},     {"хай", L_UK, 2},        {"нехай", L_UK, 3},
    {"аби", L_UK, 2.5f},     {"ж", L_UK, 1},          {"шо", L_UK, 0.7f},
    {"кажу", L_UK, 2},       {"погано", L_UK, 3},     {"гарно", L_UK, 3},
    {"гарний", L_UK, 3},     {"дивитися", L_UK, 3},   {"можу", L_UK, 1},
    /* ---- Bulgarian ---- */
    {"е", L_BG, 2},          {"са", L_BG, 3},         {"се", L_BG, 2},
    {"че", L_BG, 2},         {"това", L_BG, 3},       {"този", L_BG, 3},
    {"тази", L_BG, 3},       {"тези", L_BG, 3},       {"който", L_BG, 3},
    {"която", L_BG, 3},      {"които", L_BG, 3},      {"което", L_BG, 3},
    {"като", L_BG, 3},       {"ще", L_BG, 2},         {"от", L_BG, 1},
    {"за", L_BG, 0.8f},      {"при", L_BG, 0.8f},     {"след", L_BG, 3},
    {"във", L_BG, 3},        {"със", L_BG, 3},        {"към", L_BG, 3},
    {"още", L_BG, 3},        {"също", L_BG, 3},       {"бъде", L_BG, 3},
    {"има", L_BG, 3},        {"няма", L_BG, 3},       {"беше", L_BG, 3},
    {"бяха", L_BG, 3},       {"бил", L_BG, 2},        {"била", L_BG, 1.5f},
    {"били", L_BG, 1},       {"било", L_BG, 1},       {"ги", L_BG, 3},
    {"го", L_BG, 2},         {"му", L_BG, 3},         {"ѝ", L_BG, 3},
    {"им", L_BG, 1.2f},      {"тя", L_BG, 3},         {"той", L_BG, 3},
    {"те", L_BG, 1.5f},      {"ние", L_BG, 3},        {"вие", L_BG, 3},
    {"аз", L_BG, 3},         {"но", L_BG, 1},         {"и", L_BG, 1.2f},
    {"или", L_BG, 1.2f},     {"ли", L_BG, 1},         {"дали", L_BG, 1.5f},
    {"защото", L_BG, 3},     {"когато", L_BG, 3},     {"където", L_BG, 3},
    {"обаче", L_BG, 3},      {"тук", L_BG, 3},        {"днес", L_BG, 3},
    {"вече", L_BG, 3},       {"може", L_BG, 1.2f},    {"много", L_BG, 2},
    {"всички", L_BG, 3},     {"нещо", L_BG, 3},       {"нищо", L_BG, 3},
    {"трябва", L_BG, 3},     {"между", L_BG, 1},      {"пред", L_BG, 2},
    {"чрез", L_BG, 3},       {"нито", L_BG, 3},       {"съм", L_BG, 3},
    {"си", L_BG, 2},         {"сме", L_BG, 3},        {"сте", L_BG, 3},
    {"година", L_BG, 2},     {"години", L_BG, 2.5f},  {"лв", L_BG, 3},
    {"лева", L_BG, 3},       {"българия", L_BG, 3},   {"софия", L_BG, 2.5f},
    {"филм", L_BG, 2.5f},    {"филма", L_BG, 2.5f},   {"добре", L_BG, 1.5f},
    {"хубав", L_BG, 3},      {"хубаво", L_BG, 3},     {"хубава", L_BG, 3},
    {"само", L_BG, 2},       {"на", L_BG, 0.3f},      {"не", L_BG, 0.3f},
    {"в", L_BG, 0.7f},       {"с", L_BG, 1},          {"по", L_BG, 0.8f},
    {"до", L_BG, 0.8f},      {"а", L_BG, 0.3f},       {"ако", L_BG, 3},
    {"кога", L_BG, 3},       {"какво", L_BG, 3},      {"как", L_BG, 1},
    {"защо", L_BG, 3},       {"доста", L_BG, 3},      {"малко", L_BG, 2},
    {"голям", L_BG, 3},      {"голяма", L_BG, 3},     {"най", L_BG, 3},
    {"срещу", L_BG, 3},      {"около", L_BG, 1},      {"под", L_BG, 1},
    {"според", L_BG, 3},     {"ме", L_BG, 2},         {"нас", L_BG, 0.3f},
    {"ни", L_BG, 1.2f},      {"ми", L_BG, 1.5f},      {"хора", L_BG, 3},
    {"човек", L_BG, 3},      {"време", L_BG, 3},      {"сега", L_BG, 3},
    {"тогава", L_BG, 3},     {"винаги", L_BG, 3},     {"никога", L_BG, 3},
    {"всичко", L_BG, 3},     {"всеки", L_BG, 3},      {"така", L_BG, 2},
    {"там", L_BG, 0.5f},     {"затова", L_BG, 3},     {"просто", L_BG, 0.8f},
    {"наистина", L_BG, 3},   {"страхотен", L_BG, 3},  {"страхотно", L_BG, 3},
    {"гледа", L_BG, 2},      {"гледах", L_BG, 3},     {"гледам", L_BG, 3},
    {"препоръчвам", L_BG, 3}, {"интересен", L_BG, 2},  {"сащ", L_BG, 3},
    {"януари", L_BG, 3},     {"февруари", L_BG, 3},   {"март", L_BG, 1},
    {"април", L_BG, 2},      {"май", L_BG, 1},        {"юни", L_BG, 3},
    {"юли", L_BG, 3},        {"септември", L_BG, 3},  {"октомври", L_BG, 3},
    {"ноември", L_BG, 3},    {"декември", L_BG, 3},   {"мен", L_BG, 2},
    {"теб", L_BG, 3},        {"нея", L_BG, 3},        {"него", L_BG, 1},
    {"тях", L_BG, 3},        {"мога", L_BG, 3},       {"можем", L_BG, 1},
    {"искам", L_BG, 3},      {"казва", L_BG, 3},      {"каза", L_BG, 3},
    {"става", L_BG, 2},      {"стана", L_BG, 2},      {"бе", L_BG, 1.5f},
    {"пак", L_BG, 2},        {"даже", L_BG, 0.5f},    {"дори", L_BG, 3},
    {"вместо", L_BG, 0.5f},  {"един", L_BG, 3},       {"една", L_BG, 2},
    {"едно", L_BG, 2},       {"два", L_BG, 0.3f},     {"три", L_BG, 0.3f},
    {"нови", L_BG, 1},       {"някои", L_BG, 3},      {"някой", L_BG, 3},
    {"хареса", L_BG, 3},     {"харесва", L_BG, 3},    {"харесах", L_BG, 3},
    {"як", L_BG, 1.6f},      {"яко", L_BG, 3},        {"яка", L_BG, 1},
    {"филмче", L_BG, 3},     {"ниво", L_BG, 3},       {"лош", L_BG, 3},
    {"лошо", L_BG, 3},       {"лоша", L_BG, 3},       {"утре", L_BG, 3},
    {"повече", L_BG, 3},     {"ново", L_BG, 2},       {"почти", L_BG, 1},
    {"две", L_BG, 1.5f},     {"мисля", L_BG, 3},      {"знам", L_BG, 3},
    {"готин", L_BG, 3},      {"готино", L_BG, 3},     {"гледайте", L_BG, 3},
    {"зле", L_BG, 3},        {"смях", L_BG, 3},       {"страхотна", L_BG, 3},
    {"страхотни", L_BG, 3},  {"боза", L_BG, 3},       {"харесвам", L_BG, 3},
    {"нямам", L_BG, 3},      {"имам", L_BG, 3},       {"хубави", L_BG, 3},
    /* ---- Belarusian (optional; only when clearly Belarusian, see below) ---- */
    {"што", L_BE, 2.5f},     {"гэта", L_BE, 3},       {"ад", L_BE, 2.5f},
    {"яго", L_BE, 3},        {"быў", L_BE, 3},        {"таксама", L_BE, 3},
    {"калі", L_BE, 2},       {"дзе", L_BE, 3},        {"вельмі", L_BE, 3},
    {"беларусі", L_BE, 3},   {"і", L_BE, 1.5f},       {"у", L_BE, 1},
    {"не", L_BE, 0.3f},      {"на", L_BE, 0.3f},      {"з", L_BE, 1.5f},
    {"ці", L_BE, 1},         {"яны", L_BE, 3},        {"ён", L_BE, 3},
    {"яна", L_BE, 2},        {"але", L_BE, 1},        {"як", L_BE, 1},
    /* ---- Serbian and Macedonian (optional; need their letters) ---- */
    {"је", L_SR, 3},         {"су", L_SR, 3},         {"од", L_SR, 2},
    {"да", L_SR, 0.5f},      {"и", L_SR, 0.5f},       {"у", L_SR, 1},
    {"се", L_SR, 1},         {"шта", L_SR, 3},        {"као", L_SR, 3},
    {"још", L_SR, 3},        {"није", L_SR, 3},       {"али", L_SR, 2},
    {"што", L_SR, 1},        {"за", L_SR, 0.3f},      {"са", L_SR, 1},
    {"е", L_MK, 1.5f},       {"што", L_MK, 2},        {"кој", L_MK, 3},
    {"која", L_MK, 3},       {"кое", L_MK, 3},        {"ќе", L_MK, 3},
    {"со", L_MK, 1},         {"од", L_MK, 2},         {"се", L_MK, 1},
    {"да", L_MK, 1},         {"и", L_MK, 0.5f},       {"за", L_MK, 0.3f},
    {"овој", L_MK, 3},       {"оваа", L_MK, 3},       {"тоа", L_MK, 3},
    {"но", L_MK, 0.5f},      {"бидејќи", L_MK, 3},    {"сме", L_MK, 1},
    /* ---- Kazakh (optional; needs its letters) ---- */
    {"және", L_KK, 3},       {"бұл", L_KK, 3},        {"үшін", L_KK, 3},
    {"деп", L_KK, 3},        {"жоқ", L_KK, 3},        {"мен", L_KK, 1},
    {"бар", L_KK, 1},        {"да", L_KK, 0.3f},      {"де", L_KK, 0.3f},
    /* ---- English ---- */
    {"the", L_EN, 2.5f},     {"of", L_EN, 1.5f},      {"and", L_EN, 2},
    {"to", L_EN, 1.5f},      {"in", L_EN, 0.5f},      {"is", L_EN, 1.5f},
    {"that", L_EN, 2},       {"for", L_EN, 1.5f},     {"it", L_EN, 1},
    {"with", L_EN, 2},       {"as", L_EN, 1},         {"was", L_EN, 2},
    {"on", L_EN, 1},         {"be", L_EN, 1.5f},      {"are", L_EN, 2},
    {"this", L_EN, 2},       {"you", L_EN, 2},        {"not", L_EN, 1},
    {"have", L_EN, 2},       {"but", L_EN, 2},        {"they", L_EN, 2},
    {"we", L_EN, 1.5f},      {"he", L_EN, 1},         {"she", L_EN, 2},
    {"his", L_EN, 2},        {"her", L_EN, 1.5f},     {"by", L_EN, 1},
    {"from", L_EN, 2},       {"at", L_EN, 1},         {"or", L_EN, 1},
    {"an", L_EN, 1},         {"will", L_EN, 2},       {"would", L_EN, 2},
    {"can", L_EN, 1.5f},     {"all", L_EN, 1},        {"if", L_EN, 1},
    {"my", L_EN, 1.5f},      {"your", L_EN, 2},       {"so", L_EN, 1},
    {"do", L_EN, 1},         {"what", L_EN, 2},       {"about", L_EN, 2},
    {"who", L_EN, 2},        {"our", L_EN, 2},        {"there", L_EN, 2},
    {"their", L_EN, 2},      {"has", L_EN, 2},        {"been", L_EN, 2},
    {"more", L_EN, 1},       {"just", L_EN, 2},       {"like", L_EN, 1.5f},
    {"people", L_EN, 2},     {"should", L_EN, 2},     {"i", L_EN, 1},
    {"me", L_EN, 1},         {"its", L_EN, 1},        {"it's", L_EN, 2},
    {"don't", L_EN, 2},      {"i'm", L_EN, 2},        {"when", L_EN, 2},
    {"how", L_EN, 2},        {"why", L_EN, 2},        {"them", L_EN, 2},
    {"no", L_EN, 0.5f},      {"one", L_EN, 1},        {"than", L_EN, 2},
    {"only", L_EN, 2},       {"up", L_EN, 1},         {"out", L_EN, 1.5f},
    {"get", L_EN, 1.5f},     {"were", L_EN, 2},       {"which", L_EN, 2},
    {"because", L_EN, 2},    {"never", L_EN, 1.5f},   {"know", L_EN, 2},
    {"think", L_EN, 2},      {"want", L_EN, 2},       {"need", L_EN, 2},
    {"time", L_EN, 1},       {"new", L_EN, 1},        {"now", L_EN, 1},
    {"us", L_EN, 1},         {"did", L_EN, 2},        {"does", L_EN, 2},
    {"right", L_EN, 1.5f},   {"women", L_EN, 2},      {"life", L_EN, 1.5f},
    {"love", L_EN, 1},       {"good", L_EN, 1.5f},    {"any", L_EN, 1.5f},
    {"every", L_EN, 2},      {"also", L_EN, 1.5f},    {"these", L_EN, 2},
    {"those", L_EN, 2},      {"being", L_EN, 2},      {"after", L_EN, 1.5f},
    {"a", L_EN, 0.5f},       {"war", L_EN, 1},        {"against", L_EN, 2},
    {"russia", L_EN, 1},     {"ukraine", L_EN, 1.5f}, {"via", L_EN, 0.3f},
    {"please", L_EN, 2},     {"thanks", L_EN, 2},     {"here", L_EN, 1.5f},
    {"lol", L_EN, 2},        {"got", L_EN, 2},        {"much", L_EN, 2},
    {"too", L_EN, 1.5f},     {"could", L_EN, 2},      {"real", L_EN, 1},
    {"less", L_EN, 1.5f},    {"into", L_EN, 2},       {"quick", L_EN, 2},
    {"weather", L_EN, 2},    {"children", L_EN, 2},   {"young", L_EN, 2},
    /* ---- German ---- */
    {"der", L_DE, 2.5f},     {"die", L_DE, 1.5f},     {"das", L_DE, 2},
    {"und", L_DE, 2.5f},     {"ist", L_DE, 2},        {"nicht", L_DE, 3},
    {"ich", L_DE, 3},        {"zu", L_DE, 1.5f},      {"den", L_DE, 1.5f},
    {"von", L_DE, 2},        {"mit", L_DE, 2.5f},     {"sich", L_DE, 3},
    {"des", L_DE, 1},        {"auf", L_DE, 2.5f},     {"für", L_DE, 3},
    {"im", L_DE, 1.5f},      {"dem", L_DE, 2},        {"ein", L_DE, 2},
    {"eine", L_DE, 2.5f},    {"auch", L_DE, 3},       {"es", L_DE, 0.5f},
    {"werden", L_DE, 3},     {"aus", L_DE, 2.5f},     {"er", L_DE, 1.5f},
    {"hat", L_DE, 2},        {"dass", L_DE, 3},       {"sie", L_DE, 2},
    {"nach", L_DE, 2.5f},    {"wird", L_DE, 3},       {"bei", L_DE, 2},
    {"einer", L_DE, 2},      {"um", L_DE, 1.5f},      {"sind", L_DE, 2.5f},
    {"noch", L_DE, 3},       {"wie", L_DE, 2.5f},     {"über", L_DE, 3},
    {"einen", L_DE, 2.5f},   {"haben", L_DE, 3},      {"nur", L_DE, 2.5f},
    {"oder", L_DE, 3},       {"aber", L_DE, 3},       {"wir", L_DE, 3},
    {"nein", L_DE, 3},       {"kein", L_DE, 3},       {"keine", L_DE, 3},
    {"wenn", L_DE, 3},       {"mehr", L_DE, 2.5f},    {"schon", L_DE, 3},
    /* ---- French ---- */
    {"le", L_FR, 1.5f},      {"la", L_FR, 0.8f},      {"les", L_FR, 2},
    {"de", L_FR, 0.8f},      {"des", L_FR, 1.5f},     {"et", L_FR, 2.5f},
    {"est", L_FR, 2},        {"un", L_FR, 1},         {"une", L_FR, 2.5f},
    {"du", L_FR, 2},         {"en", L_FR, 0.5f},      {"que", L_FR, 1},
    {"qui", L_FR, 2.5f},     {"dans", L_FR, 3},       {"pour", L_FR, 3},
    {"pas", L_FR, 2.5f},     {"plus", L_FR, 1.5f},    {"ne", L_FR, 1},
    {"sur", L_FR, 2.5f},     {"au", L_FR, 1.5f},      {"avec", L_FR, 3},
    {"ce", L_FR, 2},         {"il", L_FR, 1},         {"elle", L_FR, 3},
    {"sont", L_FR, 2.5f},    {"ont", L_FR, 2.5f},     {"nous", L_FR, 3},
    {"vous", L_FR, 3},       {"je", L_FR, 2.5f},      {"mais", L_FR, 2.5f},
    {"ou", L_FR, 2},         {"sa", L_FR, 1},         {"ses", L_FR, 2},
    {"par", L_FR, 1.5f},     {"cette", L_FR, 3},      {"être", L_FR, 3},
    {"été", L_FR, 3},        {"aux", L_FR, 2.5f},     {"très", L_FR, 3},
    /* ---- Spanish ---- */
    {"el", L_ES, 1.5f},      {"la", L_ES, 0.8f},      {"los", L_ES, 2.5f},
    {"las", L_ES, 2.5f},     {"de", L_ES, 0.8f},      {"del", L_ES, 1.5f},
    {"y", L_ES, 1.5f},       {"que", L_ES, 1},        {"en", L_ES, 0.5f},
    {"una", L_ES, 1.5f},     {"es", L_ES, 1},         {"por", L_ES, 2},
    {"con", L_ES, 1.5f},     {"para", L_ES, 2},       {"se", L_ES, 1},
    {"su", L_ES, 1.5f},      {"al", L_ES, 1},         {"lo", L_ES, 1.5f},
    {"como", L_ES, 2},       {"más", L_ES, 3},        {"pero", L_ES, 3},
    {"sus", L_ES, 2},        {"ya", L_ES, 1},         {"este", L_ES, 1.5f},
    {"esta", L_ES, 2},       {"está", L_ES, 3},       {"fue", L_ES, 3},
    {"muy", L_ES, 3},        {"también", L_ES, 3},    {"hay", L_ES, 3},
    {"todo", L_ES, 2},       {"cuando", L_ES, 3},     {"porque", L_ES, 3},
    {"sin", L_ES, 1.5f},     {"no", L_ES, 0.5f},
    /* ---- Italian ---- */
    {"il", L_IT, 1.5f},      {"lo", L_IT, 1},         {"la", L_IT, 0.8f},
    {"gli", L_IT, 3},        {"di", L_IT, 2},         {"del", L_IT, 1.5f},
    {"della", L_IT, 3},      {"che", L_IT, 2.5f},     {"e", L_IT, 1},
    {"è", L_IT, 3},          {"una", L_IT, 1.5f},     {"per", L_IT, 1.5f},
    {"non", L_IT, 2},        {"con", L_IT, 1.5f},     {"da", L_IT, 1},
    {"sono", L_IT, 3},       {"come", L_IT, 2},       {"ma", L_IT, 2},
    {"anche", L_IT, 3},      {"più", L_IT, 3},        {"questo", L_IT, 3},
    {"questa", L_IT, 3},     {"nel", L_IT, 2.5f},     {"alla", L_IT, 2.5f},
    {"dei", L_IT, 2},        {"delle", L_IT, 3},      {"ci", L_IT, 2},
    {"ho", L_IT, 2},         {"io", L_IT, 2},         {"lui", L_IT, 3},
    {"cosa", L_IT, 3},       {"molto", L_IT, 3},
    /* ---- Polish ---- */
    {"w", L_PL, 1.5f},       {"z", L_PL, 1.5f},       {"na", L_PL, 1},
    {"się", L_PL, 3},        {"nie", L_PL, 2.5f},     {"do", L_PL, 1},
    {"że", L_PL, 3},         {"jest", L_PL, 3},       {"jak", L_PL, 2.5f},
    {"co", L_PL, 1.5f},      {"tak", L_PL, 1.5f},     {"ale", L_PL, 2},
    {"od", L_PL, 1.5f},      {"za", L_PL, 1},         {"przez", L_PL, 3},
    {"są", L_PL, 3},         {"dla", L_PL, 2.5f},     {"czy", L_PL, 3},
    {"tylko", L_PL, 3},      {"jego", L_PL, 2.5f},    {"już", L_PL, 3},
    {"może", L_PL, 3},       {"było", L_PL, 3},       {"ten", L_PL, 1.5f},
    {"mnie", L_PL, 3},       {"bardzo", L_PL, 3},     {"jestem", L_PL, 3},
    {"jeszcze", L_PL, 3},    {"żeby", L_PL, 3},       {"gdy", L_PL, 3},
    {"który", L_PL, 3},      {"która", L_PL, 3},      {"które", L_PL, 3},
};

/* Word endings: apply to words of at least 4 letters that are not in
 * langid_words; per language only the longest matching ending counts (so "-ский"
 * overrides "-ий"). */
static const langid_entry langid_suffixes[] = {
    /* Russian adjective and verb endings with ы/е where uk has и/є and bg has
     * no case endings at all. */
    {"ый", L_RU, 2.5f},      {"ые", L_RU, 2.5f},      {"ых", L_RU, 2},         {"ым", L_RU, 2},
    {"ыми", L_RU, 2},        {"ое", L_RU, 1.5f},      {"ой", L_RU, 1},         {"ая", L_RU, 2},
    {"яя", L_RU, 2},         {"ую", L_RU, 2},         {"юю", L_RU, 2},         {"ее", L_RU, 1.5f},
    {"ого", L_RU, 1},        {"его", L_RU, 1.5f},     {"ему", L_RU, 1.5f},     {"ому", L_RU, 0.8f},
    {"ться", L_RU, 1},       {"ется", L_RU, 2.5f},    {"ются", L_RU, 2.5f},    {"ится", L_RU, 2},
    {"ятся", L_RU, 2},       {"ость", L_RU, 2},       {"ости", L_RU, 1},       {"ение", L_RU, 1.5f},
    {"ании", L_RU, 2},       {"ении", L_RU, 2},       {"ии", L_RU, 2},         {"ать", L_RU, 1.5f},
    {"ять", L_RU, 1},        {"ить", L_RU, 1.2f},     {"еть", L_RU, 1.2f},     {"ешь", L_RU, 2},
    {"ишь", L_RU, 2},        {"ует", L_RU, 2},        {"ают", L_RU, 1.5f},     {"яют", L_RU, 1.5f},
    {"ил", L_RU, 1.5f},      {"ал", L_RU, 1.5f},      {"ел", L_RU, 1},         {"ов", L_RU, 1},
    {"ев", L_RU, 0.8f},      {"ами", L_RU, 1},        {"ями", L_RU, 1},        {"ах", L_RU, 0.8f},
    {"ях", L_RU, 1},         {"ий", L_RU, 0.8f},      {"ний", L_RU, 0.5f},     {"кий", L_RU, 0.8f},
    {"гий", L_RU, 0.8f},     {"хий", L_RU, 0.8f},     {"ший", L_RU, 0.8f},     {"жий", L_RU, 0.8f},
    {"чий", L_RU, 0.8f},     {"ких", L_RU, 0.8f},     {"гих", L_RU, 0.8f},     {"хих", L_RU, 0.8f},
    {"жих", L_RU, 0.8f},     {"чих", L_RU, 0.8f},     {"ших", L_RU, 2},        {"ял", L_RU, 1.5f},
    {"ам", L_RU, 0.8f},      {"ям", L_RU, 0.8f},      {"яю", L_RU, 1},         {"ею", L_RU, 0.5f},
    {"ей", L_RU, 1},         {"ия", L_RU, 0.7f},      {"ом", L_RU, 0.8f},      {"ем", L_RU, 0.8f},
    {"ят", L_RU, 1},         {"ата", L_RU, 0.3f},     {"ята", L_RU, 1},        {"ите", L_RU, 0.8f},
    {"ня", L_RU, 0.5f},      {"их", L_RU, 0.5f},      {"им", L_RU, 0.6f},      {"ими", L_RU, 0.8f},
    {"ою", L_RU, 0.3f},      {"ен", L_RU, 0.5f},      {"ния", L_RU, 1},        {"ие", L_RU, 1.2f},
    {"ского", L_RU, 2.5f},   {"ской", L_RU, 2.5f},    {"ских", L_RU, 2.5f},    {"ским", L_RU, 2.5f},
    {"ском", L_RU, 2.5f},    {"скую", L_RU, 2.5f},    {"ский", L_RU, 2.5f},    {"цкий", L_RU, 2.5f},
    {"цкого", L_RU, 2.5f},   {"цкой", L_RU, 2.5f},    {"чески", L_RU, 2},      {"щий", L_RU, 2.5f},
    {"щих", L_RU, 2.5f},     {"щие", L_RU, 2.5f},     {"ений", L_RU, 2},       {"аний", L_RU, 2},
    {"ной", L_RU, 1.5f},     {"лся", L_RU, 2.5f},     {"лась", L_RU, 2.5f},    {"лось", L_RU, 2.5f},
    {"лись", L_RU, 2.5f},    {"ся", L_RU, 1},         {"ает", L_RU, 2},        {"яет", L_RU, 2},
    {"ет", L_RU, 0.8f},      {"ит", L_RU, 0.6f},      {"ут", L_RU, 0.8f},      {"ют", L_RU, 0.8f},
    {"ае", L_RU, 1},         {"аю", L_RU, 1},         {"ю", L_RU, 0.5f},       {"юсь", L_RU, 1.5f},
    {"сти", L_RU, 1.2f},     {"уть", L_RU, 1.5f},     {"ций", L_RU, 1.5f},     {"ция", L_RU, 1},
    /* Ukrainian: verbal nouns -ння/-ття, past tense -в (ru -л), infinitive
     * -ти (ru -ть), instrumental -ою/-ею, adjectives -ий/-ій. */
    {"ння", L_UK, 3},        {"ття", L_UK, 3},        {"ого", L_UK, 1},        {"ому", L_UK, 0.8f},
    {"ться", L_UK, 1},       {"ти", L_UK, 0.8f},      {"ати", L_UK, 1.5f},     {"ити", L_UK, 1.5f},
    {"ють", L_UK, 2},        {"ить", L_UK, 0.5f},     {"ав", L_UK, 1},         {"ив", L_UK, 0.8f},
    {"ув", L_UK, 1.5f},      {"ою", L_UK, 2},         {"ею", L_UK, 0.8f},      {"ий", L_UK, 1},
    {"кий", L_UK, 0.6f},     {"гий", L_UK, 0.6f},     {"хий", L_UK, 0.6f},     {"ший", L_UK, 0.6f},
    {"жий", L_UK, 0.6f},     {"чий", L_UK, 0.6f},     {"ких", L_UK, 0.8f},     {"гих", L_UK, 0.8f},
    {"хих", L_UK, 0.8f},     {"ших", L_UK, 0.8f},     {"жих", L_UK, 0.8f},     {"чих", L_UK, 0.8f},
    {"ам", L_UK, 0.8f},      {"ям", L_UK, 0.8f},      {"ний", L_UK, 1.2f},     {"ький", L_UK, 2},
    {"ною", L_UK, 2},        {"их", L_UK, 1},         {"им", L_UK, 0.6f},      {"ими", L_UK, 1},
    {"ами", L_UK, 1},        {"ями", L_UK, 1},        {"ах", L_UK, 0.8f},      {"ях", L_UK, 1},
    {"ом", L_UK, 0.8f},      {"ем", L_UK, 0.5f},      {"ня", L_UK, 1},         {"еш", L_UK, 1},
    {"иш", L_UK, 1},         {"цтво", L_UK, 2},       {"ята", L_UK, 0.5f},     {"ей", L_UK, 0.5f},
    {"ять", L_UK, 0.5f},     {"ся", L_UK, 1},         {"вся", L_UK, 2.5f},     {"лася", L_UK, 2.5f},
    {"лися", L_UK, 2.5f},    {"лося", L_UK, 2.5f},    {"аю", L_UK, 0.7f},      {"ю", L_UK, 0.5f},
    {"юсь", L_UK, 1},        {"сти", L_UK, 0.8f},
    /* Bulgarian: the postfixed definite article (-ът -ят -та -то -те, -ата
     * -ото -ите -ият), verbal nouns -ане/-ене, aorist -ха, 1st person -м/-ме. */
    {"ът", L_BG, 3},         {"ят", L_BG, 1},         {"ата", L_BG, 2},        {"ото", L_BG, 2},
    {"ите", L_BG, 2.5f},     {"ята", L_BG, 1.5f},     {"ето", L_BG, 1.5f},     {"ване", L_BG, 3},
    {"яне", L_BG, 2},        {"ане", L_BG, 0.5f},     {"ене", L_BG, 0.5f},     {"ния", L_BG, 0.8f},
    {"ие", L_BG, 1},         {"ски", L_BG, 1.5f},     {"ска", L_BG, 0.5f},     {"ско", L_BG, 1.5f},
    {"ият", L_BG, 3},        {"ия", L_BG, 0.7f},      {"ах", L_BG, 0.8f},      {"ха", L_BG, 1.5f},
    {"аме", L_BG, 1},        {"ащ", L_BG, 3},         {"ящ", L_BG, 3},         {"ащо", L_BG, 2.5f},
    {"ащи", L_BG, 2.5f},     {"аща", L_BG, 2.5f},     {"ящо", L_BG, 2.5f},     {"ящи", L_BG, 2.5f},
    {"яща", L_BG, 2.5f},     {"че", L_BG, 0.8f},      {"вах", L_BG, 2},        {"ях", L_BG, 0.8f},
    {"ен", L_BG, 1},         {"ност", L_BG, 2},       {"ост", L_BG, 1.5f},     {"ение", L_BG, 1},
    {"ил", L_BG, 0.5f},      {"ал", L_BG, 0.5f},      {"ел", L_BG, 0.5f},      {"ов", L_BG, 0.5f},
    {"ти", L_BG, 0.3f},      {"ий", L_BG, 0.3f},      {"еш", L_BG, 1},         {"иш", L_BG, 1},
    {"ция", L_BG, 1},        {"ции", L_BG, 1},        {"ам", L_BG, 0.5f},      {"ва", L_BG, 0.4f},
    {"вам", L_BG, 2},        {"ална", L_BG, 2},       {"ално", L_BG, 2},       {"ални", L_BG, 2},
    {"ален", L_BG, 2},
    /* English */
    {"ing", L_EN, 1},        {"tion", L_EN, 0.5f},    {"ly", L_EN, 1},         {"ed", L_EN, 0.5f},
    {"'s", L_EN, 1.5f},      {"n't", L_EN, 3},        {"'ll", L_EN, 2},        {"'ve", L_EN, 2},
    {"'re", L_EN, 2},
    /* German, French, Spanish, Italian, Polish */
    {"ung", L_DE, 2},        {"keit", L_DE, 3},       {"heit", L_DE, 3},       {"lich", L_DE, 2},
    {"chen", L_DE, 1.5f},    {"ment", L_FR, 0.5f},    {"eux", L_FR, 2},        {"aient", L_FR, 3},
    {"ción", L_ES, 3},       {"mente", L_ES, 1},      {"zione", L_IT, 3},      {"mente", L_IT, 1},
    {"ności", L_PL, 3},      {"ość", L_PL, 3},
};
/* clang-format on */

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- UTF-8 decoding ------------------------------------------------------ */

/* Decodes one code point at s[0..len), len >= 1. Returns the bytes consumed
 * (>= 1). *cp is the code point, or UINT32_MAX for an invalid or truncated
 * sequence (then 1 byte is consumed, so decoding resynchronises at the next
 * byte: a bad byte costs one byte, never the rest of the text). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        *cp = UINT32_MAX;
        return 1;
    }
    if (n > len) {
        *cp = UINT32_MAX;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = UINT32_MAX;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = UINT32_MAX;
        return 1;
    }
    *cp = v;
    return n;
}

/* Appends cp as UTF-8 to buf (which has room: callers reserve 4 bytes). */
static size_t utf8_encode(uint32_t cp, char *buf)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- character classes ---------------------------------------------------- */

static enum langid_script script_of(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return S_LATIN;
    if (c < 0xC0)
        return S_NONE;
    if (c <= 0x24F)
        return (c == 0xD7 || c == 0xF7) ? S_NONE : S_LATIN;
    if (c >= 0x1E00 && c <= 0x1EFF)
        return S_LATIN;
    if ((c >= 0x400 && c <= 0x481) || (c >= 0x48A && c <= 0x52F))
        return S_CYRILLIC;
    if ((c >= 0x370 && c <= 0x3FF && c != 0x37E && c != 0x387) || (c >= 0x1F00 && c <= 0x1FFF))
        return S_GREEK;
    if (c >= 0x531 && c <= 0x587)
        return S_ARMENIAN;
    if (c >= 0x5D0 && c <= 0x5F2)
        return S_HEBREW;
    if ((c >= 0x620 && c <= 0x64A) || (c >= 0x66E && c <= 0x6D3) || (c >= 0x6FA && c <= 0x6FF) ||
        (c >= 0x750 && c <= 0x77F))
        return S_ARABIC;
    if ((c >= 0x10A0 && c <= 0x10FF) || (c >= 0x1C90 && c <= 0x1CBF))
        return S_GEORGIAN;
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF))
        return S_KANA;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
        (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F))
        return S_HAN;
    if ((c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
        (c >= 0x3130 && c <= 0x318F))
        return S_HANGUL;
    /* Letters of other scripts (Devanagari .. Myanmar, Ethiopic): counted so
     * that they outweigh a few Latin letters, but given no code. */
    if ((c >= 0x900 && c <= 0x109F) || (c >= 0x1200 && c <= 0x137F))
        return S_OTHER;
    return S_NONE;
}

/* Lower case for the Latin and Cyrillic letters the tables use. */
static uint32_t to_lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0xC0)
        return c;
    if (c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c >= 0x100 && c <= 0x17F) {
        /* Latin Extended-A pairs upper/lower, except for two odd-aligned runs. */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        if (c == 0x130) /* İ */
            return 'i';
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return (c & 1) ? c : c + 1;
    if (c >= 0x4C1 && c <= 0x4CE)
        return (c & 1) ? c + 1 : c;
    return c;
}

static int is_apostrophe(uint32_t c)
{
    return c == '\'' || c == 0x2019 || c == 0x02BC || c == 0x2018 || c == 0x60 || c == 0xB4;
}

static int is_space(uint32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r */
    return c == 0xA0 || c == 0x2028 || c == 0x2029 || (c >= 0x2000 && c <= 0x200A) || c == 0x3000;
}

/* Latin letters that look like Cyrillic ones, for words typed with mixed
 * keyboards (Ukrainian "i" typed as Latin i is common on phones). */
static uint32_t latin_homoglyph_to_cyrillic(uint32_t c)
{
    switch (c) {
    case 'a':
        return 0x430;
    case 'b':
        return 0x432;
    case 'c':
        return 0x441;
    case 'e':
        return 0x435;
    case 'h':
        return 0x43D;
    case 'i':
        return 0x456;
    case 'k':
        return 0x43A;
    case 'm':
        return 0x43C;
    case 'o':
        return 0x43E;
    case 'p':
        return 0x440;
    case 't':
        return 0x442;
    case 'x':
        return 0x445;
    case 'y':
        return 0x443;
    case 0xEF: /* ï */
        return 0x457;
    default:
        return 0;
    }
}

/* ---- scoring state ---------------------------------------------------------- */

#define WORD_MAX 48 /* letters kept per word; longer words only count letters */

typedef struct {
    double score[L_COUNT];
    long script_letters[S_COUNT];
    long foreign_cyrillic; /* Cyrillic letters outside the ru/uk/bg alphabets */
    int marker[L_COUNT];   /* saw a letter only this optional language uses */
    int be_i, be_y;        /* і and ы/э/ё seen: together they suggest Belarusian */
    int uzbek;             /* saw ҳ */
    long words;            /* words finished so far */
} langid_state;

typedef struct {
    uint32_t cp[WORD_MAX];
    char text[WORD_MAX * 4 + 8]; /* cp[0..n) as UTF-8, built as the word is read; room for the
                                    8 zero bytes word_hash reads past its end */
    size_t len;                  /* bytes in text */
    size_t n;                    /* letters and inner apostrophes stored */
    size_t letters;              /* letters seen (may exceed WORD_MAX) */
    size_t latin, cyrillic;
    int overflow; /* a letter did not fit in cp: the word is too long to look up */
    int scoring;  /* some stored letter scores by itself (not a plain а..я or ASCII letter) */
    int has_apostrophe_inside;
    int after_number; /* glued to a number (5-й, 90-х, 70е): an ordinal ending, not a word */
} langid_word;

static void add(langid_state *st, enum langid_lang l, double w)
{
    st->score[l] += w;
}

/* Evidence from one Cyrillic letter (lower case). ь needs its successor. */
static void score_cyrillic_letter(langid_state *st, uint32_t c, uint32_t next)
{
    switch (c) {
    case 0x44B: /* ы */
    case 0x44D: /* э */
    case 0x451: /* ё */
        add(st, L_RU, 3);
        add(st, L_BE, 2);
        st->be_y = 1;
        break;
    case 0x44A:
        /* ъ: Russian writes it only as a separator before е ё ю я (объявил,
         * съел); Bulgarian has it as a vowel before consonants and word-finally
         * (към, българия, градът), in most sentences. */
        if (next == 0x435 || next == 0x451 || next == 0x44E || next == 0x44F) {
            add(st, L_RU, 2);
        } else {
            add(st, L_BG, 2.5);
        }
        break;
    case 0x456: /* і */
        add(st, L_UK, 3);
        add(st, L_BE, 2);
        add(st, L_KK, 0.5);
        st->be_i = 1;
        break;
    case 0x457: /* ї */
    case 0x454: /* є */
    case 0x491: /* ґ */
        add(st, L_UK, 4);
        break;
    case 0x45D: /* ѝ */
        add(st, L_BG, 4);
        break;
    case 0x44C:
        /* ь: Bulgarian has it only in "ьо" (шофьор, актьор), which Russian
         * mostly spells with ё (шофёр) but keeps in loans (сеньор, бульон). */
        if (next == 0x43E) {
            add(st, L_BG, 0.7);
        } else {
            add(st, L_RU, 0.5);
            add(st, L_UK, 0.4);
        }
        break;
    case 0x45E: /* ў (also Uzbek, told apart by қ ғ ҳ below) */
        add(st, L_BE, 5);
        st->marker[L_BE] = 1;
        st->foreign_cyrillic++;
        break;
    case 0x4B3: /* ҳ: Uzbek and Tajik, none of our languages */
        st->uzbek = 1;
        st->foreign_cyrillic++;
        break;
    case 0x452: /* ђ */
    case 0x45B: /* ћ */
        add(st, L_SR, 5);
        st->marker[L_SR] = 1;
        st->foreign_cyrillic++;
        break;
    case 0x453: /* ѓ */
    case 0x45C: /* ќ */
    case 0x455: /* ѕ */
        add(st, L_MK, 5);
        st->marker[L_MK] = 1;
        st->foreign_cyrillic++;
        break;
    case 0x458: /* ј */
    case 0x459: /* љ */
    case 0x45A: /* њ */
    case 0x45F: /* џ */
        add(st, L_SR, 3);
        add(st, L_MK, 3);
        st->marker[L_SR] = st->marker[L_MK] = 1;
        st->foreign_cyrillic++;
        break;
    case 0x493: /* ғ */
    case 0x49B: /* қ */
    case 0x4B1: /* ұ */
        add(st, L_KK, 4);
        st->marker[L_KK] = 1;
        st->foreign_cyrillic++;
        break;
    case 0x4D9: /* ә */
    case 0x4A3: /* ң */
    case 0x4E9: /* ө */
    case 0x4AF: /* ү */
    case 0x4BB: /* һ */
        add(st, L_KK, 3);
        st->foreign_cyrillic++;
        break;
    default:
        /* Anything beyond the basic ru/uk/bg alphabet (а..я, ѐ ё є і ї ѝ ґ). */
        if (!((c >= 0x430 && c <= 0x44F) || c == 0x450 || c == 0x451 || c == 0x454 || c == 0x456 ||
              c == 0x457 || c == 0x45D || c == 0x491))
            st->foreign_cyrillic++;
        break;
    }
}

/* Evidence from one Latin letter with a diacritic (lower case). */
static void score_latin_letter(langid_state *st, uint32_t c)
{
    switch (c) {
    case 0xE4: /* ä */
    case 0xF6: /* ö */
    case 0xFC: /* ü */
        add(st, L_DE, 1);
        break;
    case 0xDF: /* ß */
        add(st, L_DE, 3);
        break;
    case 0xE9: /* é */
        add(st, L_FR, 1);
        add(st, L_ES, 0.5);
        break;
    case 0xE8: /* è */
    case 0xE0: /* à */
    case 0xF9: /* ù */
        add(st, L_FR, 1);
        add(st, L_IT, 1);
        break;
    case 0xEA:  /* ê */
    case 0xE7:  /* ç */
    case 0x153: /* œ */
        add(st, L_FR, 2);
        break;
    case 0xEE: /* î */
    case 0xF4: /* ô */
    case 0xFB: /* û */
    case 0xEB: /* ë */
    case 0xEF: /* ï */
        add(st, L_FR, 1.5);
        break;
    case 0xF1: /* ñ */
        add(st, L_ES, 3);
        break;
    case 0xE1: /* á */
    case 0xED: /* í */
    case 0xFA: /* ú */
        add(st, L_ES, 1);
        break;
    case 0xF3: /* ó */
        add(st, L_ES, 1);
        add(st, L_PL, 1);
        break;
    case 0xEC: /* ì */
    case 0xF2: /* ò */
        add(st, L_IT, 2);
        break;
    case 0x105: /* ą */
    case 0x119: /* ę */
    case 0x142: /* ł */
        add(st, L_PL, 3);
        break;
    case 0x107: /* ć */
    case 0x144: /* ń */
    case 0x15B: /* ś */
    case 0x17A: /* ź */
    case 0x17C: /* ż */
        add(st, L_PL, 2.5);
        break;
    default:
        break;
    }
}

/* What score_cyrillic_letter does with each letter U+0400..U+052F, found by calling it at
 * first use: nothing, only count it as foreign to ru/uk/bg, or score it (for some letters
 * depending on the next one). */
enum { CYR_PLAIN, CYR_FOREIGN, CYR_SCORES };
static unsigned char cyrillic_kind[0x130];

static void classify_cyrillic_letters(void)
{
    static const uint32_t nexts[] = {0, 0x43E, 0x435, 0x451, 0x44E, 0x44F, 0x430};
    for (uint32_t c = 0x400; c <= 0x52F; c++) {
        unsigned char kind = CYR_PLAIN;
        for (size_t k = 0; k < sizeof nexts / sizeof *nexts; k++) {
            langid_state st, fresh;
            memset(&st, 0, sizeof st);
            memset(&fresh, 0, sizeof fresh);
            score_cyrillic_letter(&st, c, nexts[k]);
            long foreign = st.foreign_cyrillic;
            st.foreign_cyrillic = 0;
            if (memcmp(&st, &fresh, sizeof st) != 0)
                kind = CYR_SCORES;
            else if (foreign && kind == CYR_PLAIN)
                kind = CYR_FOREIGN;
        }
        cyrillic_kind[c - 0x400] = kind;
    }
}

/* Appends a lower-case letter (or the apostrophe) to the word; the caller checked there is
 * room. Keeps text in step with cp, and notes a letter the per-letter scoring must see. */
static void word_push(langid_word *w, uint32_t lower)
{
    w->cp[w->n++] = lower;
    w->len += utf8_encode(lower, w->text + w->len);
    if (lower >= 0xC0)
        w->scoring |= lower < 0x400 || lower > 0x52F || cyrillic_kind[lower - 0x400] != CYR_PLAIN;
}

/* The tables' lookups, built once per process (then only read, by any thread): each table
 * sorted by text (ties in table order, so scores add up in the same order every run) and a
 * hash from a text to its run of entries. A word costs one probe for the word list and one
 * per ending length, where a binary search with strcmp and a scan of the endings bucketed by
 * last byte made language identification a third of stance-predict's time on tweets. */
#define WORD_SLOTS 4096u   /* power of two, at least twice the entries */
#define SUFFIX_SLOTS 1024u /* the endings and every ending of an ending: checked when built */

typedef struct {
    const char *text;      /* the entries' text */
    uint32_t hash;         /* its hash: most probes are told apart without strncmp */
    uint16_t first, count; /* the run of entries in the sorted table (count 0: see longer) */
    uint8_t used;          /* 0 = empty slot */
    uint8_t longer;        /* endings: some longer ending ends with this text */
    uint8_t len;           /* strlen(text): every entry is far shorter than 256 bytes */
} langid_span;

static const langid_entry *sorted_words[COUNTOF(langid_words)];
static const langid_entry *sorted_suffixes[COUNTOF(langid_suffixes)];
static langid_span word_slots[WORD_SLOTS];
static langid_span suffix_slots[SUFFIX_SLOTS];
static size_t suffix_max_letters; /* code points of the longest ending */
static int tails_overfull;        /* SUFFIX_SLOTS is too small (langid_tables_ok) */
_Static_assert(L_COUNT <= 32, "the ending search keeps languages in a 32-bit mask");
/* What an ASCII character is to the main loop of langid_detect_ex (from is_space,
 * is_apostrophe and script_of, at first use). */
enum { ASCII_OTHER, ASCII_LETTER, ASCII_SPACE, ASCII_OPENING, ASCII_APOSTROPHE };
static unsigned char ascii_kind[0x80];
#define SCRIPT_TABLE_END 0x530u /* script_of below Armenian, by table: the per-character test */
static unsigned char script_table[SCRIPT_TABLE_END];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

_Static_assert(COUNTOF(langid_words) * 2 <= WORD_SLOTS, "grow WORD_SLOTS");

static int by_text(const void *a, const void *b)
{
    const langid_entry *x = *(const langid_entry *const *)a, *y = *(const langid_entry *const *)b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x < y ? -1 : x > y);
}

/* Words are hashed eight bytes at a time (word_hash); endings byte by byte with FNV-1a from
 * their last byte back (ending_hash), so the hash of each longer ending of a word extends the
 * one before it instead of starting again. */
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t hash_mix(uint32_t h)
{
    return h ^ (h >> 15);
}

/* The hash of s[0..len), which must be followed by 8 readable zero bytes (the tail is read
 * as a whole 8-byte block). A byte-at-a-time hash cost a tenth of language identification. */
static uint32_t word_hash(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        h = (h ^ v) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    h *= 0xC4CEB9FE1A85EC53ULL;
    return (uint32_t)(h >> 32);
}

/* word_hash of a NUL-terminated table entry (copied so that zeros follow it). */
static uint32_t entry_word_hash(const char *s, size_t len)
{
    char padded[WORD_MAX * 4 + 8] = {0};
    if (len > WORD_MAX * 4)
        return 0; /* longer than any word that is looked up: never found */
    memcpy(padded, s, len);
    return word_hash(padded, len);
}

/* FNV-1a state h extended by the bytes s[0..len) taken from the last to the first. */
static uint32_t hash_backward(uint32_t h, const char *s, size_t len)
{
    while (len-- > 0) {
        h ^= (unsigned char)s[len];
        h *= FNV_PRIME;
    }
    return h;
}

static uint32_t ending_hash(const char *s, size_t len)
{
    return hash_mix(hash_backward(FNV_OFFSET, s, len));
}

static void index_table(const langid_entry *table, size_t n, const langid_entry **sorted,
                        langid_span *slots, uint32_t nslots, uint32_t (*hash)(const char *, size_t))
{
    for (size_t i = 0; i < n; i++)
        sorted[i] = &table[i];
    qsort(sorted, n, sizeof *sorted, by_text);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(sorted[j]->text, sorted[i]->text) == 0)
            j++;
        uint32_t full = hash(sorted[i]->text, strlen(sorted[i]->text));
        uint32_t h = full & (nslots - 1);
        while (slots[h].used)
            h = (h + 1) & (nslots - 1);
        slots[h] = (langid_span){sorted[i]->text,
                                 full,
                                 (uint16_t)i,
                                 (uint16_t)(j - i),
                                 1,
                                 0,
                                 (uint8_t)strlen(sorted[i]->text)};
        i = j;
    }
}

static const langid_span *lookup(const langid_span *slots, uint32_t nslots, const char *s,
                                 size_t len, uint32_t hash);

/* Marks, for every ending, the shorter endings it ends with (adding those that are no ending
 * themselves), so that a word's endings are looked up from the shortest on only as long as
 * some ending still can match: most words stop after one or two probes. */
static void index_ending_tails(void)
{
    size_t used = 0;
    for (uint32_t h = 0; h < SUFFIX_SLOTS; h++)
        used += suffix_slots[h].used;
    for (size_t i = 0; i < COUNTOF(langid_suffixes); i++) {
        const char *t = langid_suffixes[i].text;
        for (size_t b = 1; t[b]; b++) {
            if (((unsigned char)t[b] & 0xC0) == 0x80)
                continue; /* inside a character */
            size_t len = strlen(t + b);
            uint32_t full = ending_hash(t + b, len);
            langid_span *sp = (langid_span *)lookup(suffix_slots, SUFFIX_SLOTS, t + b, len, full);
            if (!sp) {
                uint32_t h = full & (SUFFIX_SLOTS - 1);
                while (suffix_slots[h].used)
                    h = (h + 1) & (SUFFIX_SLOTS - 1);
                sp = &suffix_slots[h];
                *sp = (langid_span){t + b, full, 0, 0, 1, 0, (uint8_t)len};
                used++;
            }
            sp->longer = 1;
        }
    }
    /* the table must stay at most half full, or probes get long; a test checks this holds */
    tails_overfull = used * 2 > SUFFIX_SLOTS;
}

static void build_tables(void)
{
    classify_cyrillic_letters();
    for (uint32_t c = 0; c < SCRIPT_TABLE_END; c++)
        script_table[c] = (unsigned char)script_of(c);
    for (uint32_t c = 0; c < 0x80; c++)
        ascii_kind[c] = script_of(c) == S_LATIN ? ASCII_LETTER
                        : is_space(c)           ? ASCII_SPACE
                        : c == '(' || c == '"'  ? ASCII_OPENING
                        : is_apostrophe(c)      ? ASCII_APOSTROPHE
                                                : ASCII_OTHER;
    index_table(langid_words, COUNTOF(langid_words), sorted_words, word_slots, WORD_SLOTS,
                entry_word_hash);
    index_table(langid_suffixes, COUNTOF(langid_suffixes), sorted_suffixes, suffix_slots,
                SUFFIX_SLOTS, ending_hash);
    index_ending_tails();
    for (size_t i = 0; i < COUNTOF(langid_suffixes); i++) {
        size_t letters = 0;
        for (const char *c = langid_suffixes[i].text; *c; c++)
            if (((unsigned char)*c & 0xC0) != 0x80)
                letters++;
        if (letters > suffix_max_letters)
            suffix_max_letters = letters;
    }
}

/* The slot whose text is s[0..len), or NULL; hash is the table's hash of s. */
static const langid_span *lookup(const langid_span *slots, uint32_t nslots, const char *s,
                                 size_t len, uint32_t hash)
{
    uint32_t h = hash & (nslots - 1);
    while (slots[h].used) {
        const char *t = slots[h].text;
        if (slots[h].hash == hash && slots[h].len == len && equal_short(t, s, len))
            return &slots[h];
        h = (h + 1) & (nslots - 1);
    }
    return NULL;
}

/* Does the word hold ськ, цьк or зьк? */
static int has_uk_adjective_cluster(const langid_word *w)
{
    for (size_t i = 0; i + 2 < w->n; i++)
        if (w->cp[i + 1] == 0x44C && w->cp[i + 2] == 0x43A &&
            (w->cp[i] == 0x441 || w->cp[i] == 0x446 || w->cp[i] == 0x437))
            return 1;
    return 0;
}

/* Scores a finished word and resets it. next_is_word: another word follows
 * after spaces only (no punctuation), which tells Bulgarian "да" + verb from
 * Russian "да" = yes. */
static void finish_word(langid_state *st, langid_word *w, int next_is_word)
{
    if (w->letters == 0)
        goto reset;

    /* Mixed-keyboard words: Latin look-alikes inside a mostly Cyrillic word. */
    if (w->latin > 0 && w->cyrillic >= w->latin && !w->overflow) {
        int all_mapped = 1;
        for (size_t i = 0; i < w->n; i++)
            if (script_of(w->cp[i]) == S_LATIN && !latin_homoglyph_to_cyrillic(w->cp[i]))
                all_mapped = 0;
        if (all_mapped) {
            size_t n = w->n;
            w->n = w->len = 0;
            for (size_t i = 0; i < n; i++) {
                uint32_t m = latin_homoglyph_to_cyrillic(w->cp[i]);
                word_push(w, m && script_of(w->cp[i]) == S_LATIN ? m : w->cp[i]);
            }
            w->cyrillic += w->latin;
            w->latin = 0;
        }
    }
    st->script_letters[S_LATIN] += (long)w->latin;
    st->script_letters[S_CYRILLIC] += (long)w->cyrillic;

    for (size_t i = 0; w->scoring && i < w->n; i++) {
        uint32_t c = w->cp[i];
        if (c >= 0x400 && c <= 0x52F) {
            /* most letters are plain а..я, which score nothing: only the others take the
             * switch (cyrillic_kind, read off score_cyrillic_letter itself) */
            unsigned char kind = cyrillic_kind[c - 0x400];
            if (kind == CYR_SCORES)
                score_cyrillic_letter(st, c, i + 1 < w->n ? w->cp[i + 1] : 0);
            else if (kind == CYR_FOREIGN)
                st->foreign_cyrillic++;
        } else if (c >= 0xC0) {
            score_latin_letter(st, c);
        }
    }
    if (w->has_apostrophe_inside && w->cyrillic > w->latin) {
        /* п'ять, об'єкт, м'ясо: Ukrainian (and Belarusian) spell with an
         * apostrophe where Russian and Bulgarian use ъ or ь. */
        add(st, L_UK, 3);
        add(st, L_BE, 1);
    }
    if (w->overflow || w->after_number)
        goto reset; /* too long to be a function word or to read its ending */

    const char *text = w->text;
    size_t len = w->len;
    memset(w->text + len, 0, 8); /* for word_hash */

    int known = 0;
    if (len == 4 && memcmp(text, "да", 4) == 0) {
        /* Bulgarian "да" mostly introduces a verb (за да дойде); Russian "да"
         * is mostly "yes", followed by a comma or standing alone. */
        int verb_follows = next_is_word && st->words > 0;
        add(st, L_BG, verb_follows ? 1.2 : 0.3);
        add(st, L_RU, verb_follows ? 0.5 : 1.0);
        known = 1;
    }
    const langid_span *sp = lookup(word_slots, WORD_SLOTS, text, len, word_hash(text, len));
    for (size_t i = 0; sp && i < sp->count; i++) {
        const langid_entry *e = sorted_words[sp->first + i];
        add(st, (enum langid_lang)e->lang, e->weight);
        known = 1;
    }
    if (!known && w->latin > 0 && w->cyrillic == 0 && w->has_apostrophe_inside && len > 2 &&
        text[1] == '\'') {
        /* French elision: l'homme, d'un, j'ai, qu'il. */
        if (strchr("ldjncsm", text[0]))
            add(st, L_FR, 2);
    }
    /* Laughter and stretched words (ахахах, хахаха, нееет) have endings by accident. */
    size_t distinct = 0;   /* counted only as far as the test below needs */
    uint64_t low_bits = 0; /* the low 6 bits of the letters so far: a new value is a new letter */
    for (size_t i = 0; !known && w->n >= 4 && i < w->n && distinct * 2 <= w->n; i++) {
        uint64_t bit = 1ULL << (w->cp[i] & 63);
        size_t j = low_bits & bit ? 0 : i;
        low_bits |= bit;
        while (j < i && w->cp[j] != w->cp[i])
            j++;
        if (j == i)
            distinct++;
    }
    if (!known && w->n >= 4 && distinct * 2 > w->n) {
        float best[L_COUNT];
        size_t best_len[L_COUNT];
        uint32_t seen = 0; /* languages with an ending so far (best, best_len are theirs) */
        /* endings of 1, 2, ... code points, leaving at least two letters of stem; per
         * language the longest that matches wins (ties: the first in table order) */
        size_t start = len;
        uint32_t h = FNV_OFFSET;
        for (size_t k = 1; k + 2 <= w->n && k <= suffix_max_letters; k++) {
            size_t end = start;
            do
                start--;
            while (start > 0 && ((unsigned char)text[start] & 0xC0) == 0x80);
            h = hash_backward(h, text + start, end - start);
            const langid_span *ss =
                lookup(suffix_slots, SUFFIX_SLOTS, text + start, len - start, hash_mix(h));
            if (!ss)
                break; /* no ending ends so: no longer one can match either */
            for (size_t i = 0; i < ss->count; i++) {
                const langid_entry *e = sorted_suffixes[ss->first + i];
                if (!(seen >> e->lang & 1) || len - start > best_len[e->lang]) {
                    best[e->lang] = e->weight;
                    best_len[e->lang] = len - start;
                    seen |= 1u << e->lang;
                }
            }
            if (!ss->longer)
                break;
        }
        for (int l = 0; seen; l++, seen >>= 1)
            if (seen & 1) /* adding the 0 of no ending would change nothing */
                st->score[l] += best[l];
        /* Ukrainian -ськ-/-цьк-/-зьк- (український, донецький); Russian writes -ск-. */
        if (w->cyrillic && has_uk_adjective_cluster(w))
            add(st, L_UK, 2);
    }

    st->words++;
reset:
    w->n = w->len = w->letters = w->latin = w->cyrillic = 0;
    w->overflow = w->scoring = w->has_apostrophe_inside = 0;
    w->after_number = 0;
}

/* Does a word start at s[pos] after spaces or tabs (no punctuation between)? */
static int word_follows(const unsigned char *s, size_t pos, size_t len)
{
    while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
        pos++;
    return pos < len && (s[pos] >= 0xC0 || ((s[pos] | 32) >= 'a' && (s[pos] | 32) <= 'z'));
}

/* Does the text at s[0..len) start with prefix, ignoring ASCII case? */
static int starts_with_ci(const unsigned char *s, size_t len, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (plen > len)
        return 0;
    for (size_t i = 0; i < plen; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c != (unsigned char)prefix[i])
            return 0;
    }
    return 1;
}

/* The language with the most evidence among first..last; ties go to the
 * earlier one (ru before uk before bg: Russian is by far the most common
 * Cyrillic language online). Another Latin language than English needs clear
 * evidence: English is the default for Latin-script text. */
static int best_language(const langid_state *st, int first, int last)
{
    int win = first;
    for (int l = first; l <= last; l++)
        if (st->score[l] > st->score[win])
            win = l;
    if (first == L_LAT_FIRST && win != L_EN &&
        (st->score[win] < 3.0 || st->score[win] < 1.5 * st->score[L_EN]))
        win = L_EN;
    return win;
}

/* Smoothing mass per candidate: a language with no evidence still gets a
 * little share, so confidences are < 1 and no evidence gives 1/candidates. */
#define LANGID_PRIOR 0.5

const char *langid_detect_ex(const char *text, size_t len, size_t max_bytes, double *confidence)
{
    langid_state st;
    langid_word w;
    memset(&st, 0, sizeof st);
    memset(&w, 0, sizeof w);
    if (confidence)
        *confidence = 0.0;
    if (!text)
        return "und";
    if (max_bytes == 0)
        max_bytes = LANGID_DEFAULT_MAX_BYTES;
    if (len > max_bytes)
        len = max_bytes;

    pthread_once(&tables_once, build_tables);
    const unsigned char *s = (const unsigned char *)text;
    size_t pos = 0;
    int at_token_start = 1;
    int pending_apostrophe = 0;   /* an apostrophe right after letters */
    uint32_t prev = 0, prev2 = 0; /* the two code points before the current one */
    while (pos < len) {
        unsigned char head = s[pos];
        if (head < 0x80 && ascii_kind[head] != ASCII_LETTER && !(at_token_start && head == '@')) {
            /* An ASCII character that is no letter (space, digit, punctuation): what the
             * general path below does for it, without decoding it or testing it against
             * every kind of space and apostrophe. */
            unsigned char kind = ascii_kind[head];
            pos++;
            prev2 = prev;
            prev = head;
            at_token_start = kind == ASCII_SPACE || kind == ASCII_OPENING;
            if (kind == ASCII_APOSTROPHE && w.letters > 0 && !pending_apostrophe) {
                pending_apostrophe = 1;
                continue;
            }
            pending_apostrophe = 0;
            if (w.letters > 0)
                finish_word(&st, &w, kind == ASCII_SPACE && word_follows(s, pos, len));
            continue;
        }
        if (at_token_start) {
            /* URLs and @mentions carry no language of the text (t.co links,
             * Latin user names in Russian tweets): skip to the next space. */
            unsigned char first = (unsigned char)(s[pos] | 32);
            if (s[pos] == '@' ||
                (first == 'h' && (starts_with_ci(s + pos, len - pos, "http://") ||
                                  starts_with_ci(s + pos, len - pos, "https://"))) ||
                (first == 'w' && starts_with_ci(s + pos, len - pos, "www."))) {
                while (pos < len && s[pos] != ' ' && s[pos] != '\n' && s[pos] != '\t')
                    pos++;
                continue;
            }
        }
        uint32_t c;
        pos += utf8_decode(s + pos, len - pos, &c);
        if (c == UINT32_MAX)
            continue; /* invalid byte: skip it and keep the word going */
        uint32_t before = prev, before2 = prev2;
        prev2 = prev;
        prev = c;
        /* A URL or mention starts after a space or an opening bracket/quote. */
        at_token_start = is_space(c) || c == '(' || c == '"' || c == 0xAB || c == 0x201C;

        if (c >= 0x80) {
            if (c == 0xBF || c == 0xA1) /* ¿ ¡ */
                add(&st, L_ES, 3);
            if (c >= 0x300 && c <= 0x36F) {
                /* Combining marks (stress accents) stay inside the word; a grave
                 * on и is the Bulgarian ѝ written in two code points. */
                if (c == 0x300 && w.n > 0 && w.cp[w.n - 1] == 0x438) {
                    w.n--;
                    w.len -= 2; /* и, two bytes */
                    word_push(&w, 0x45D);
                }
                continue;
            }
            if (c == 0xAD || c == 0x200B || c == 0x200C || c == 0x200D)
                continue; /* soft hyphen, zero-width characters */
        }

        enum langid_script sc =
            c < SCRIPT_TABLE_END ? (enum langid_script)script_table[c] : script_of(c);
        if (sc == S_LATIN || sc == S_CYRILLIC) {
            if (pending_apostrophe && w.n < WORD_MAX && !w.overflow) {
                word_push(&w, '\'');
                w.has_apostrophe_inside = 1;
            }
            pending_apostrophe = 0;
            if (w.letters == 0)
                w.after_number = (before >= '0' && before <= '9') ||
                                 (before == '-' && before2 >= '0' && before2 <= '9');
            if (w.n < WORD_MAX && !w.overflow)
                word_push(&w, to_lower(c));
            else
                w.overflow = 1;
            w.letters++;
            if (sc == S_LATIN)
                w.latin++;
            else
                w.cyrillic++;
            /* The rest of the word, while it is made of plain letters (ASCII, and Cyrillic
             * U+0400..U+045F in two bytes), takes this short loop: it does what the general
             * path above does for such a letter inside a word (none of the tests for URLs,
             * spaces, marks or apostrophes can apply), and it is where most of the text goes. */
            if (w.overflow)
                continue;
            /* in locals: the word is in memory (finish_word takes its address), so its
             * counters in the struct cost a load and a store per letter */
            size_t n = w.n, tlen = w.len, latin = w.latin, cyrillic = w.cyrillic;
            int scoring = w.scoring;
            uint32_t p1 = prev, p2 = prev2;
            while (n < WORD_MAX && pos < len) {
                unsigned char b = s[pos];
                uint32_t lower;
                if ((unsigned char)((b | 32) - 'a') < 26) {
                    lower = b | 32;
                    p2 = p1;
                    p1 = b;
                    pos++;
                    latin++;
                    w.text[tlen++] = (char)lower;
                } else if ((b == 0xD0 || b == 0xD1) && pos + 1 < len &&
                           (s[pos + 1] & 0xC0) == 0x80) {
                    uint32_t cyr = ((uint32_t)(b & 0x1F) << 6) | (s[pos + 1] & 0x3F);
                    if (cyr > 0x45F)
                        break;
                    lower = cyr < 0x410 ? cyr + 80 : cyr < 0x430 ? cyr + 32 : cyr;
                    p2 = p1;
                    p1 = cyr;
                    pos += 2;
                    cyrillic++;
                    w.text[tlen++] = (char)(0xC0 | (lower >> 6));
                    w.text[tlen++] = (char)(0x80 | (lower & 0x3F));
                    scoring |= cyrillic_kind[lower - 0x400] != CYR_PLAIN;
                } else {
                    break;
                }
                w.cp[n++] = lower;
            }
            w.letters += n - w.n;
            w.n = n;
            w.len = tlen;
            w.latin = latin;
            w.cyrillic = cyrillic;
            w.scoring = scoring;
            prev = p1;
            prev2 = p2;
            continue;
        }
        if (is_apostrophe(c) && w.letters > 0 && !pending_apostrophe) {
            pending_apostrophe = 1;
            continue;
        }
        pending_apostrophe = 0;
        if (w.letters > 0)
            finish_word(&st, &w, is_space(c) && word_follows(s, pos, len));
        if (sc != S_NONE)
            st.script_letters[sc]++;
    }
    finish_word(&st, &w, 0);

    long total = 0;
    enum langid_script best_script = S_LATIN;
    for (int i = 0; i < S_COUNT; i++) {
        total += st.script_letters[i];
        if (st.script_letters[i] > st.script_letters[best_script])
            best_script = (enum langid_script)i;
    }
    if (total < 3)
        return "und";

    /* Optional Cyrillic languages must show their own letters: Belarusian ў
     * or both і and ы/э/ё, Serbian/Macedonian ј љ њ џ ђ ћ ѓ ќ ѕ, Kazakh ғ қ ұ
     * (and no ў, which with қ ғ ҳ is Uzbek). Otherwise their shared words
     * must not pull a Russian text away. */
    if ((!st.marker[L_BE] && !(st.be_i && st.be_y)) || st.uzbek || st.marker[L_KK])
        st.score[L_BE] = 0;
    if (!st.marker[L_SR])
        st.score[L_SR] = 0;
    if (!st.marker[L_MK])
        st.score[L_MK] = 0;
    if (!st.marker[L_KK] || st.uzbek || st.marker[L_BE])
        st.score[L_KK] = 0;

    int lat_win = best_language(&st, L_LAT_FIRST, L_LAT_LAST);
    int cyr_win = best_language(&st, L_CYR_FIRST, L_CYR_LAST);
    long lat = st.script_letters[S_LATIN], cyr = st.script_letters[S_CYRILLIC];
    if ((best_script == S_LATIN || best_script == S_CYRILLIC) && lat * 5 >= total &&
        cyr * 5 >= total) {
        /* Both scripts are substantial (Russian tweets with Latin hashtags and
         * names, English quotes in Russian news): the one whose words carry
         * more evidence wins, names and hashtags carry none. */
        if (st.score[cyr_win] > st.score[lat_win])
            best_script = S_CYRILLIC;
        else if (st.score[lat_win] > st.score[cyr_win])
            best_script = S_LATIN;
    }
    double script_share = (double)st.script_letters[best_script] / (double)total;

    if (best_script == S_LATIN || best_script == S_CYRILLIC) {
        int first = best_script == S_LATIN ? L_LAT_FIRST : L_CYR_FIRST;
        int last = best_script == S_LATIN ? L_LAT_LAST : L_CYR_LAST;
        int win = best_script == S_LATIN ? lat_win : cyr_win;
        if (best_script == S_CYRILLIC && win <= L_BG && st.foreign_cyrillic * 30 > cyr) {
            /* A Cyrillic text full of letters outside ru/uk/bg (Tatar,
             * Mongolian, Uzbek...) is none of them. */
            if (confidence)
                *confidence = script_share;
            return "und";
        }
        double sum = 0.0;
        for (int l = first; l <= last; l++)
            sum += st.score[l];
        int candidates = last - first + 1;
        if (confidence)
            *confidence =
                (st.score[win] + LANGID_PRIOR) / (sum + LANGID_PRIOR * candidates) * script_share;
        return langid_codes[win];
    }

    if (confidence)
        *confidence = script_share;
    switch (best_script) {
    case S_GREEK:
        return "el";
    case S_ARABIC:
        return "ar";
    case S_HEBREW:
        return "he";
    case S_HAN:
        /* Japanese mixes kanji with kana; Chinese has no kana at all. */
        if (st.script_letters[S_KANA] * 10 > st.script_letters[S_HAN]) {
            if (confidence)
                *confidence =
                    (double)(st.script_letters[S_HAN] + st.script_letters[S_KANA]) / (double)total;
            return "ja";
        }
        return "zh";
    case S_KANA:
        if (confidence)
            *confidence =
                (double)(st.script_letters[S_HAN] + st.script_letters[S_KANA]) / (double)total;
        return "ja";
    case S_HANGUL:
        return "ko";
    case S_GEORGIAN:
        return "ka";
    case S_ARMENIAN:
        return "hy";
    default:
        return "und";
    }
}

const char *langid_detect(const char *text, size_t len, size_t max_bytes)
{
    return langid_detect_ex(text, len, max_bytes, NULL);
}

int langid_tables_ok(void)
{
    pthread_once(&tables_once, build_tables);
    return !tails_overfull;
}
