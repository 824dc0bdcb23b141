"""The words the sentiment rule knows, in English, Spanish, Italian and Portuguese.

Words are written lower-case and without accents (the rule strips them, so "pésimo", "pesimo"
and "PÉSIMO" are one word). A trailing `*` matches any ending, which covers Romance inflections
("decepcion*": decepcionado, decepcionada, decepción). Valences run from 0.5 (a hint) to 2 (clear
praise or anger); a clause counts as strongly positive or negative from 1 (see sentiment.py).
Phrases are matched before single words and take their tokens out of the clause, so a greeting
such as "buenas tardes" or a routine "thanks in advance" weighs nothing.
"""

# Praise, thanks and satisfaction.
POSITIVE = {
    2.0: """
        terrific fabulous exceptional flawless kudos thrilled ecstatic magnificent marvel* magnific* eccezional*
        excepcional*
        love loved loving lovely adore excellent perfect* awesome amazing fantastic wonderful brilliant superb
        outstanding impeccab* impecabl* impecav* delighted beautiful gorgeous adorab* adorav*
        encant* excelente genial geniales fantastic* maravill* estupend* buenisim* perfect*
        adoro ottim* eccellent* perfett* meravigli* splendid* stupend* benissimo bellissim*
        otim* maravilh* excelent* perfeit* incrivel amei adorei sensacional
    """,
    1.5: """
        pleasure grateful thankful incredible seamless attentive courteous yay placer atento atenta atentos atentas
        chevere bacan guay riconoscent* figata
        thank* thx ty cheers appreciat* great happy glad pleased satisfied satisfaction helpful friendly
        angel cheaper recommend* impressed obliged painless best polite efficient professional lifesaver* hero heroes
        legend* star
        gracias agradec* agradezc* feliz content* satisfech* alegr* amable* simpatic* increibl* mejores eficient*
        profesional* idolo idolos
        grazie ringrazi* apprezz* tesoro felic* soddisfatt* gentil* cortes* migliori bravissim* efficient*
        professional*
        salvavita mitic* fortissim* grato grata grati grate
        obrigad* anjo alegr* valeu agradec* satisfeit* atencios* educad* melhores lind* eficient* profission* fera
        feras
        craque craques grato grata
    """,
    1.0: """
        pleasant reliable responsive patient cool agradable fiable pacien* piacevol* affidabil* pazient* agradavel
        confiavel prazer
        good nice kind solved resolved sorted fixed smooth* rock rocks charm
        gran buena buenos buenas bonit* precioso preciosa rico rica majo maja majos majas resuelt* solucionad*
        arreglad*
        buon* buona bravi brava bravo bello bella piace piaciut* risolt* sistemato sistemata lode top
        bom boa bons boas gosto gostei resolvid* top
    """,
    0.5: """
        fast quick* quickly rapid* veloc* cheap barato barata economic* conveniente easy well bien bene bem facil*
        bueno semplic*
    """,
}

# Complaints, problem reports, frustration and urgency.
NEGATIVE = {
    2.0: """
        incompetent* hopeless horrendous appalling dreadful atrocious sucks sucked scammed unprofessional disgrace*
        outrageous livid pissed fuming lies lying cheated unusable lamentabl* espantos* engan* timo timad* cabread*
        mentira* inservibl* spaventos* incazzat* bugi* ingannat* inutilizzabil* lamentavel horroros* desrespeit*
        terribl* awful horribl* worst disappoint* angry furious ridiculous unacceptable useless
        frustr* infuriat* indign* revolt* scam fraud lied liar hate hated disgust* disaster nightmare rude pathetic
        shameful shame
        pesim* terribl* horribl* peor decepcion* enojad* enfadad* furios* inaceptabl* ridicul* verguenza estafa
        odi* mintieron desastr* pesadilla basura rabia fatal harto harta malisim* inutil*
        pessim* orribil* terribil* delus* delud* arrabbiat* inaccettabil* vergogn* truff* schifo incubo
        disastr* inutil* rabbia stufo stufa peggior*
        pessim* horrivel terrivel decepc* irritad* inaceitavel absurd* vergonha golpe odeio pesadelo raiva
        lixo descaso enganad* desastr* inutil* piores pior
    """,
    1.5: """
        unhappy displeased unreliable lousy sloppy careless misleading overpriced ignored ignoring neglect* unresolved
        nonsense nuisance mad irritat* sad stolen theft malfunction* dirty smelly slowest worse poorly badly wrongly
        descontent* ignorad* triste robad* robo defectuos* averiad* sucio sucia sucios sucias scontent* inaffidabil*
        ignorat* irrisolt* assurd* rubat* furto difettos* sporc* peggio roubad* roubo sujo suja
        error errors wtf damn crap shit* junk ruin* down outage wast* freez* drop* ugh lost stuck bad poor upset
        annoy*
        broken broke damaged
        crushed smashed
        cracked missing wrong crash* crashing
        urgen* asap complain* overcharg* incorrect* incorrett* incorret* mess exhaust* stress* dissatisf*
        agotad* agotador* estres* insatisf* estenuant* insoddisf* cansativ* estress*
        lio cansad* casino stanco stanca stanchi bagunca
        cayo cae caida congel* destroz* uf error errores demonios mierda porqueria perdio perdido perdida perdidos
        perdieron
        atascad* mal
        malo mala malos
        malas molest* roto rota rotos rotas
        danad* aplastad* equivocad* falta faltan
        faltaba rompi* reclam*
        giu cade blocc* rovin* scocciat* uffa errore errori diavolo cazzo schif* perso persa persi perse smarrit*
        fermo ferma male
        cattiv* seccat* rott*
        danneggiat* schiacciat* sbagliat*
        manca mancano mancava mancante
        caiu caindo cai estrag* trava travando travou travado aff erro erros porra merda porcaria extravi* perdeu
        perderam
        parado parada ruim chatead* danificad*
        amassad*
        errad* faltando faltou
        reclamac* quebr*
    """,
    1.0: """
        inconvenien* insane crazy hassle headache mistake mistakes unfortunately worried confus* dead leak* noisy
        invalid declined rejected denied refused penalty excuse excuses postponed inconvenient* tonteria
        lamentablemente desgraciadamente preocupad* rechazad* denegad* multa excusa excusas sciocchezz* purtroppo
        rifiutat* infelizmente recusad* negad*
        late delay* delayed slow expensive nobody immediately wet cold fail* manager supervisor* joke seriously serio
        fault faulty defect*
        breakdown
        retras* lent* nadie inmediat* mojad* encargado gerente fria frio fallo falla fallan fallad* tard* averia
        averias
        ritard* lent* nessuno immediat* subito bagnat* responsabile fredd* fallit* scadent* fregatura guasto guasti
        difett*
        atras* atrasad* lent* ninguem imediat* molhad* gerente fria frio demor* falh* defeito defeitos defeituos*
    """,
    0.5: """
        concerned expired overdue caducad* scadut* vencid*
        problem problems issue issues waiting hold cancel again high since
        forever eternidad eternita eternidade
        problema problemas espera esperando tarde cancel* alta alto desde
        problem* attesa aspett* disdir* alta alto
        problema problemas espera esperando alta alto desde
    """,
}

# Phrases, matched before words; a zero valence only takes the words out (greetings, politeness).
PHRASES = {
    "thanks in advance": 0.0,
    "thank you in advance": 0.0,
    "good morning": 0.0,
    "good afternoon": 0.0,
    "good evening": 0.0,
    "gracias de antemano": 0.0,
    "agradezco de antemano": 0.0,
    "buenos dias": 0.0,
    "buenas tardes": 0.0,
    "buenas noches": 0.0,
    "grazie in anticipo": 0.0,
    "buongiorno": 0.0,
    "buonasera": 0.0,
    "buona sera": 0.0,
    "buon pomeriggio": 0.0,
    "buona serata": 0.0,
    "buonanotte": 0.0,
    "buona giornata": 1.0,
    "bom dia": 0.0,
    "boa tarde": 0.0,
    "boa noite": 0.0,
    "desde ja agradeco": 0.0,
    "desde ja obrigado": 0.0,
    "desde ja obrigada": 0.0,
    "have a nice day": 1.0,
    "problem solved": 1.5,
    "problema resuelto": 1.5,
    "problema risolto": 1.5,
    "problema resolvido": 1.5,
    "no problem": 0.0,
    "ningun problema": 0.0,
    "nessun problema": 0.0,
    "sem problema": 0.0,
    "me gusta": 1.0,
    "me gustan": 1.0,
    "me gusto": 1.0,
    "mi piace": 1.0,
    "mi piacciono": 1.0,
    "fed up": -2.0,
    "en serio": -1.0,
    "sul serio": -1.0,
    "tired of": -2.0,
    "well done": 1.5,
    "good job": 1.5,
    "great job": 1.5,
    "bien hecho": 1.5,
    "buen trabajo": 1.5,
    "ottimo lavoro": 1.5,
    "bel lavoro": 1.5,
    "bem feito": 1.5,
    "bom trabalho": 1.5,
    "mandaram bem": 1.5,
    "sick of": -2.0,
    "money back": -1.5,
    "mi dinero": -1.0,
    "i soldi indietro": -1.5,
    "meu dinheiro de volta": -1.5,
    "still waiting": -1.5,
    "still not": -1.0,
    "sigo esperando": -1.5,
    "todavia no": -1.0,
    "sigo sin": -1.0,
    "ancora in attesa": -1.5,
    "sto ancora aspettando": -1.5,
    "ancora non": -1.0,
    "non ancora": -1.0,
    "ainda esperando": -1.5,
    "ate agora": -1.0,
    "charged twice": -1.5,
    "double billed": -1.5,
    "double charged": -1.5,
    "billed twice": -1.5,
    "cobro doble": -1.5,
    "cobraron doble": -1.5,
    "facturaron doble": -1.5,
    "fatturato due volte": -1.5,
    "em dobro": -1.5,
    "charged me twice": -1.5,
    "me cobro dos veces": -1.5,
    "mi ha addebitato due volte": -1.5,
    "mi avete addebitato due volte": -1.5,
    "me cobrou duas vezes": -1.5,
    "cobraron dos veces": -1.5,
    "addebitato due volte": -1.5,
    "cobrado duas vezes": -1.5,
    "cobraram duas vezes": -1.5,
    "no internet": -1.5,
    "without internet": -1.5,
    "sin internet": -1.5,
    "senza internet": -1.5,
    "sem internet": -1.5,
    "anyone there": -1.5,
    "anybody there": -1.5,
    "alguien ahi": -1.5,
    "c'e qualcuno": -1.5,
    "alguem ai": -1.5,
    "right now": -1.0,
    "right away": -1.0,
    "ya mismo": -1.0,
    "cuanto antes": -1.0,
    "lo antes posible": -1.0,
    "il prima possibile": -1.0,
    "agora mesmo": -1.0,
    "o quanto antes": -1.0,
    "o mais rapido possivel": -1.0,
    "no sirve": -1.5,
    "non va": -1.5,
    "nao presta": -1.5,
    "hidden fees": -1.5,
    "cargos ocultos": -1.5,
    "costi nascosti": -1.5,
    "taxas escondidas": -1.5,
    "cut off": -1.5,
    "cortaron la linea": -1.5,
    "staccato la linea": -1.5,
    "cortaram minha linha": -1.5,
    "sigo nada": -1.0,
    "nota 10": 1.5,
    "10 e lode": 1.5,
    "un 10": 1.0,
    "ripped off": -2.0,
    "5 stars": 2.0,
    "five stars": 2.0,
    "5 estrellas": 2.0,
    "5 stelle": 2.0,
    "5 estrelas": 2.0,
    "nota mil": 2.0,
    "poco profesional": -2.0,
    "poco professionale": -2.0,
    "sin resolver": -1.5,
    "falta de respeito": -2.0,
    "falta de respeto": -2.0,
    "sem solucao": -1.5,
    "nice job": 1.5,
    "not again": -1.5,
    "otra vez no": -1.5,
    "de novo nao": -1.5,
    "a vuoto": -1.5,
    "sao demais": 2.0,
    "e demais": 1.5,
    "se corta": -1.5,
    "otra vez": -0.5,
    "di nuovo": -0.5,
    "de novo": -0.5,
    "top notch": 2.0,
    "de diez": 1.5,
    "un sol": 1.5,
    "costa meno": 1.0,
    "big fan": 1.5,
    "huge fan": 1.5,
    "kind of": 0.0,
    "kind of you": 1.5,
    "un crack": 1.5,
    "unos cracks": 1.5,
    "piu tardi": 0.0,
    "mas tarde": 0.0,
    "mais tarde": 0.0,
    "tomadura de pelo": -2.0,
    "presa in giro": -2.0,
    "palhacada": -2.0,
    "took forever": -1.5,
    "10/10": 1.5,
    "lo maximo": 2.0,
    "un amor": 1.5,
    "um amor": 1.5,
    "a buon fine": 0.0,
}

# Words that turn the next few words around: "not happy" is a complaint, "not bad" faint praise.
NEGATORS = """
    not no never nobody nothing none neither nor cannot cant dont doesnt didnt isnt wasnt wont arent havent
    hasnt
    no nunca nadie nada ni tampoco jamas ningun ninguna ninguno
    non mai nessuno nessun nessuna niente nulla nemmeno neanche neppure
    nao nunca ninguem nada nem jamais nenhum nenhuma
"""

# How a request for information or help opens (first or second word of a question). "Why" is left
# out: "Why is my bill so high?" complains.
ASKING = """
    where how when what which can could do does is are will would may
    donde adonde como cuando cuanto que cual puedo puede pueden hay tienen
    dove come quando quanto quale posso puo potete ce avete
    onde como quando quanto qual posso pode podem tem
"""
WHY = "why por porque perche"  # a question opening so complains: "Why is…", "¿Por qué…?", "Perché…", "Por que…"

# Words only Portuguese uses: in a message with one of them, "no" means "in the", not "no".
PORTUGUESE = """
    nao voce voces vcs minha meu obrigado obrigada foi estou estava muito pra tambem entao
"""

# "Without" turns only the next word around: "sin internet", but "tres semanas sin teléfono fue inaceptable".
WITHOUT = "without sin senza sem"

# What a customer expects to happen: neutral said plainly, a complaint when negated ("never arrived",
# "nobody answers", "non funziona", "não chegou").
EXPECTED = """
    tell told inform* warn* notif* buy* ask* order* move* moving work works working worked arrive* came come receiv*
    got answer* repl* respond* call*
    help* show* fix* solve*
    turn* load* open* charge* serve get through reach* talk* speak* contact*
    avis* dijo dijeron compr* pedi muev* movid* funcion* lleg* recib* contest* respond* llam* ayud* resolv* solucion*
    arregl* vino carga*
    sirve sirven
    hablar comunicar* contact*
    avvis* detto chiesto ordinat* mosso muov* funzion* arriv* ricev* rispond* rispost* chiam* aiut* present* risolv*
    sistem* andat*
    carica* serve servono
    parlare contatt*
    avis* disse disseram pedi mexe* mov* funcion* cheg* receb* respond* respost* lig* ajud* aparec* resolv* consert*
    veio carreg* serve
    servem falar
    contat*
"""

# Intensifiers make the next sentiment word count double.
INTENSIFIERS = """
    very really so super extremely totally completely too absolutely truly
    muy mucho muchisimo tan realmente totalmente completamente demasiado bastante
    molto davvero troppo cosi proprio veramente totalmente completamente estremamente
    muito muita tao realmente totalmente completamente extremamente
"""

EMOJI = {
    1.5: "😊😀😃😄😁🙂😍🥰❤💕💖👍🙏👏🙌🎉💯👌😘🤩✨💙💚☺",
    -1.5: "😡😠😤🤬😞😢😭😩😫👎💔😒🙄😑😖😣😔😟😕💩",
}
