//! PHPMailer's messages for a send that failed, in the 57 languages it ships and 11 older file
//! names of its history (am, br, ch, cz, dk, mgl, no, rs, se, sr_lat, ua). From
//! github.com/PHPMailer/PHPMailer at 4a489474 (2026-07-21): the English texts are the defaults
//! of `PHPMailer::setLanguage` (src/PHPMailer.php, `$PHPMAILER_LANG`), each translation is
//! `$PHPMAILER_LANG['id']` of language/phpmailer.lang-XX.php; a row with a commit is an earlier
//! wording of that file (older PHPMailer releases still print it), taken from the file at that
//! commit. Left out: translations identical to the English, a Sinhala file in a legacy font
//! encoding (86d2b069), Turkish (ISO-8859-9) and Polish (ISO-8859-2, 88694da0) files read as
//! Latin-1, and wordings with HTML entities (a browser shows the text they stand for, which is
//! also here).
//!
//! Ids: `authenticate`, `connect_host`, `smtp_connect_failed`, `data_not_accepted`,
//! `from_failed`, `recipients_failed`, `smtp_error` (the server's words follow), `instantiate`
//! (PHP's mail() failed), `no_smtputf8`. PHPMailer appends what failed (addresses, the server's
//! reply) to `from_failed`, `recipients_failed` and `smtp_error`.
//!
//! Languages, in table order (Italian first):
//! it, de, es, fr, pt, pt_br, nl, pl, af, ar, as, az, ba, be, bg, bn, ca, cs, da, el, eo, et, fa,
//! fi, fo, gl, he, hi, hr, hu, hy, id, ja, ka, ko, ku, lt, lv, mg, mn, ms, nb, ro, ru, si, sk, sl,
//! sr, sr_latn, sv, tl, tr, uk, ur, vi, zh, zh_cn, am, br, ch, cz, dk, mgl, no, rs, se, sr_lat,
//! ua.

use super::Catalogue;

pub(crate) static PHPMAILER: Catalogue = Catalogue {
    program: "phpmailer",
    english: &[
        ("authenticate", "SMTP Error: Could not authenticate."),
        ("connect_host", "SMTP Error: Could not connect to SMTP host."),
        ("smtp_connect_failed", "SMTP connect() failed."),
        ("data_not_accepted", "SMTP Error: data not accepted."),
        ("from_failed", "The following From address failed: "),
        ("recipients_failed", "SMTP Error: The following recipients failed: "),
        ("smtp_error", "SMTP server error: "),
        ("instantiate", "Could not instantiate mail function."),
        ("no_smtputf8", "Server does not support SMTPUTF8 needed to send to Unicode addresses"),
    ],
    translations: &[
        ("it", "authenticate", "SMTP Error: Impossibile autenticarsi."),
        ("it", "connect_host", "SMTP Error: Impossibile connettersi all'host SMTP."),
        ("it", "smtp_connect_failed", "SMTP Connect() fallita."),
        ("it", "data_not_accepted", "SMTP Error: Dati non accettati dal server."),
        ("it", "data_not_accepted", "SMTP Error: Data non accettati dal server."), // a0805d65
        ("it", "data_not_accepted", "SMTP Error: Data non accettati dalserver."),  // 263bf12e
        ("it", "from_failed", "I seguenti indirizzi mittenti hanno generato errore: "),
        (
            "it",
            "recipients_failed",
            "SMTP Error: I seguenti indirizzi destinatari hanno generato un errore: ",
        ),
        ("it", "recipients_failed", "SMTP Error: I seguenti indirizzi destinatari hanno generato errore: "), // a0805d65
        ("it", "recipients_failed", "SMTP Error: I seguenti indirizzidestinatari hanno generato errore: "), // 263bf12e
        ("it", "smtp_error", "Errore del server SMTP: "),
        ("it", "instantiate", "Impossibile istanziare la funzione mail"),
        ("de", "authenticate", "SMTP-Fehler: Authentifizierung fehlgeschlagen."),
        ("de", "authenticate", "SMTP Fehler: Authentifizierung fehlgeschlagen."), // c7650fbd
        ("de", "connect_host", "SMTP-Fehler: Konnte keine Verbindung zum SMTP-Host herstellen."),
        ("de", "connect_host", "SMTP Fehler: Konnte keine Verbindung zum SMTP-Host herstellen."), // c7650fbd
        ("de", "smtp_connect_failed", "Verbindung zum SMTP-Server fehlgeschlagen."),
        ("de", "smtp_connect_failed", "Verbindung zu SMTP Server fehlgeschlagen."), // c7650fbd
        ("de", "data_not_accepted", "SMTP-Fehler: Daten werden nicht akzeptiert."),
        ("de", "data_not_accepted", "SMTP Fehler: Daten werden nicht akzeptiert."), // c7650fbd
        ("de", "from_failed", "Die folgende Absenderadresse ist nicht korrekt: "),
        ("de", "recipients_failed", "SMTP-Fehler: Die folgenden Empfänger sind nicht korrekt: "),
        ("de", "recipients_failed", "SMTP Fehler: Die folgenden Empfänger sind nicht korrekt: "), // c7650fbd
        ("de", "smtp_error", "Fehler vom SMTP-Server: "),
        ("de", "smtp_error", "Fehler vom SMTP Server: "), // c7650fbd
        ("de", "instantiate", "Mail-Funktion konnte nicht initialisiert werden."),
        ("de", "instantiate", "Mail Funktion konnte nicht initialisiert werden."), // c7650fbd
        ("es", "authenticate", "Error SMTP: Imposible autentificar."),
        ("es", "authenticate", "Error SMTP: No se pudo autentificar."), // 3816957b
        ("es", "connect_host", "Error SMTP: Imposible conectar al servidor SMTP."),
        ("es", "connect_host", "Error SMTP: No se pudo conectar al servidor SMTP."), // 3816957b
        ("es", "connect_host", "Error SMTP: No puedo conectar al servidor SMTP."),   // adb0197c
        ("es", "smtp_connect_failed", "SMTP Connect() falló."),
        ("es", "smtp_connect_failed", "SMTP Connect() se falló."), // 3816957b
        ("es", "data_not_accepted", "Error SMTP: Datos no aceptados."),
        ("es", "from_failed", "La siguiente dirección de remitente falló: "),
        ("es", "from_failed", "La(s) siguiente(s) direcciones de remitente fallaron: "), // 101bb806
        ("es", "recipients_failed", "Error SMTP: Los siguientes destinos fallaron: "),
        ("es", "recipients_failed", "Error SMTP: Los siguientes destinatarios fallaron: "), // b818119b
        ("es", "smtp_error", "Error del servidor SMTP: "),
        ("es", "instantiate", "Imposible crear una instancia de la función Mail."),
        ("es", "instantiate", "No se pudo crear una instancia de la función Mail."), // 3816957b
        ("es", "instantiate", "No pude crear una instancia de la función Mail."),    // adb0197c
        ("fr", "authenticate", "Erreur SMTP : échec de l’authentification."),
        ("fr", "authenticate", "Erreur SMTP : Echec de l'authentification."), // 997a4027
        ("fr", "connect_host", "Erreur SMTP : impossible de se connecter au serveur SMTP."),
        ("fr", "smtp_connect_failed", "La fonction SMTP connect() a échoué."),
        ("fr", "smtp_connect_failed", "La fonction SMTP connect() a échouée."), // 32f7a11a
        ("fr", "smtp_connect_failed", "Échec de la connexion SMTP."),           // 090e168f
        ("fr", "smtp_connect_failed", "La fonction SMPT connect() a échouée."), // a2bfc160
        ("fr", "data_not_accepted", "Erreur SMTP : données incorrectes."),
        ("fr", "data_not_accepted", "Erreur SMTP : Données incorrects."), // d50f5111
        ("fr", "from_failed", "L’adresse d’expéditeur suivante a échoué : "),
        ("fr", "from_failed", "L'adresse d'expéditeur suivante a échouée : "), // 8a2ddcbb
        ("fr", "from_failed", "L'adresse d'expéditeur suivante a échouée: "),  // 1e953c2d
        ("fr", "recipients_failed", "Erreur SMTP : les destinataires suivants ont échoué : "),
        ("fr", "recipients_failed", "Erreur SMTP : les destinataires suivants sont en erreur : "), // 090e168f
        ("fr", "recipients_failed", "Erreur SMTP : les destinataires suivants sont en erreur: "),  // 1e953c2d
        ("fr", "smtp_error", "Erreur du serveur SMTP : "),
        ("fr", "smtp_error", "Erreur du serveur SMTP: "), // 1e953c2d
        ("fr", "instantiate", "Impossible d’instancier la fonction mail."),
        ("pt", "authenticate", "Erro SMTP: Falha na autenticação."),
        ("pt", "authenticate", "Erro do SMTP: Não foi possível realizar a autenticação."), // df464894
        ("pt", "connect_host", "Erro SMTP: Não foi possível ligar ao servidor SMTP."),
        ("pt", "connect_host", "Erro do SMTP: Não foi possível realizar ligação com o servidor SMTP."), // df464894
        ("pt", "smtp_connect_failed", "Falha na função SMTP connect()."),
        ("pt", "smtp_connect_failed", "SMTP Connect() falhou."), // df464894
        ("pt", "data_not_accepted", "Erro SMTP: Dados não aceites."),
        ("pt", "data_not_accepted", "Erro do SMTP: Os dados foram rejeitados."), // df464894
        ("pt", "from_failed", "O envio falhou para o seguinte endereço do remetente: "),
        ("pt", "from_failed", "Ocorreram falhas nos endereços dos seguintes remententes: "), // df464894
        ("pt", "recipients_failed", "Erro SMTP: Falha no envio para os seguintes destinatários: "),
        ("pt", "recipients_failed", "Erro do SMTP: O endereço do seguinte destinatário falhou: "), // df464894
        ("pt", "smtp_error", "Erro do servidor SMTP: "),
        ("pt", "smtp_error", "Erro de servidor SMTP: "), // df464894
        ("pt", "instantiate", "Não foi possível instanciar a função mail."),
        ("pt", "instantiate", "Não foi possível iniciar uma instância da função mail."), // df464894
        ("pt_br", "authenticate", "Erro de SMTP: Não foi possível autenticar."),
        ("pt_br", "connect_host", "Erro de SMTP: Não foi possível conectar ao servidor SMTP."),
        ("pt_br", "connect_host", "Erro de SMTP: Não foi possível conectar com o servidor SMTP."), // 4b63c619
        ("pt_br", "smtp_connect_failed", "SMTP Connect() falhou."),
        ("pt_br", "data_not_accepted", "Erro de SMTP: Dados rejeitados."),
        ("pt_br", "from_failed", "Os seguintes remetentes falharam: "),
        ("pt_br", "from_failed", "Os seguintes remententes falharam: "), // 86af82ce
        ("pt_br", "from_failed", "Os endereços dos remententes a seguir falharam: "), // 4b63c619
        ("pt_br", "recipients_failed", "Erro de SMTP: Os seguintes destinatários falharam: "),
        ("pt_br", "recipients_failed", "Erro de SMTP: Os endereços de destinatário a seguir falharam: "), // 4b63c619
        ("pt_br", "smtp_error", "Erro de servidor SMTP: "),
        ("pt_br", "instantiate", "Não foi possível instanciar a função mail."),
        ("pt_br", "instantiate", "Não foi possível iniciar uma instância da função mail."), // 4b63c619
        ("nl", "authenticate", "SMTP-fout: authenticatie mislukt."),
        ("nl", "authenticate", "SMTP Fout: authenticatie mislukt."), // d720039f
        ("nl", "connect_host", "SMTP-fout: kon niet verbinden met SMTP-host."),
        ("nl", "connect_host", "SMTP Fout: Kon niet verbinden met SMTP host."), // d720039f
        ("nl", "smtp_connect_failed", "SMTP-verbinding mislukt."),
        ("nl", "smtp_connect_failed", "SMTP Verbinding mislukt."), // b336ed18
        ("nl", "data_not_accepted", "SMTP-fout: data niet geaccepteerd."),
        ("nl", "data_not_accepted", "SMTP Fout: Data niet geaccepteerd."), // d720039f
        ("nl", "from_failed", "Het volgende afzenderadres is mislukt: "),
        ("nl", "from_failed", "Het volgende afzendersadres is mislukt: "), // b336ed18
        ("nl", "from_failed", "De volgende afzender adressen zijn mislukt: "), // d720039f
        ("nl", "recipients_failed", "SMTP-fout: de volgende ontvangers zijn mislukt: "),
        ("nl", "recipients_failed", "SMTP Fout: De volgende ontvangers zijn mislukt: "), // d720039f
        ("nl", "smtp_error", "SMTP-serverfout: "),
        ("nl", "instantiate", "Kon mailfunctie niet initialiseren."),
        ("nl", "instantiate", "Kon mail functie niet initialiseren."), // d720039f
        (
            "nl",
            "no_smtputf8",
            "De server ondersteunt geen SMTPUTF8 dat nodig is om naar Unicode-adressen te sturen.",
        ),
        ("pl", "authenticate", "Błąd SMTP: nie udało się przeprowadzić uwierzytelnienia."),
        ("pl", "authenticate", "Błąd SMTP: Nie można przeprowadzić uwierzytelnienia."), // a26214d5
        ("pl", "authenticate", "Błąd SMTP: Nie można przeprowadzić autentykacji."),     // 79a090d7
        ("pl", "authenticate", "Błąd SMTP: Nie można przeprowadzić autoryzacji."),      // 357bf4af
        ("pl", "connect_host", "Błąd SMTP: nie udało się połączyć z serwerem (hostem)."),
        ("pl", "connect_host", "Błąd SMTP: Nie można połączyć się z wybranym hostem."), // a26214d5
        ("pl", "smtp_connect_failed", "Nie udało się nawiązać połączenia za pomocą SMTP Connect()."),
        ("pl", "smtp_connect_failed", "Wywołanie funkcji SMTP Connect() zostało zakończone niepowodzeniem."), // a26214d5
        ("pl", "smtp_connect_failed", "SMTP Connect() zakończone niepowodzeniem."), // 4bced529
        ("pl", "data_not_accepted", "Błąd SMTP: dane wiadomości nie zostały przyjęte przez serwer."),
        ("pl", "data_not_accepted", "Błąd SMTP: Dane nie zostały przyjęte."), // a26214d5
        ("pl", "from_failed", "Nieprawidłowy adres nadawcy: "),
        ("pl", "from_failed", "Następujący adres nadawcy jest nieprawidłowy lub nie istnieje: "), // a26214d5
        ("pl", "from_failed", "Następujący adres Nadawcy jest nieprawidłowy: "),                  // 4bced529
        ("pl", "from_failed", "Następujący adres Nadawcy jest jest nieprawidłowy: "),             // af516c9c
        ("pl", "recipients_failed", "Błąd SMTP: nie udało się wysłać do następujących odbiorców: "),
        ("pl", "recipients_failed", "Błąd SMTP: Następujący odbiorcy są nieprawidłowi lub nie istnieją: "), // a26214d5
        ("pl", "recipients_failed", "Błąd SMTP: Następujący odbiorcy są nieprawidłowi: "), // 4bced529
        ("pl", "smtp_error", "Błąd serwera SMTP: "),
        ("pl", "smtp_error", "Błąd SMTP: "), // a26214d5
        ("pl", "instantiate", "Nie można zainicjować funkcji mail(). Sprawdź konfigurację serwera."),
        ("pl", "instantiate", "Nie można wywołać funkcji mail(). Sprawdź konfigurację serwera."), // a26214d5
        ("af", "authenticate", "SMTP-fout: kon nie geverifieer word nie."),
        ("af", "connect_host", "SMTP-fout: kon nie aan SMTP-verbind nie."),
        ("af", "smtp_connect_failed", "SMTP-verbinding () misluk."),
        ("af", "data_not_accepted", "SMTP-fout: data nie aanvaar nie."),
        ("af", "from_failed", "Die volgende Van adres misluk: "),
        ("af", "recipients_failed", "SMTP-fout: Die volgende ontvangers het misluk: "),
        ("af", "smtp_error", "SMTP-bediener fout: "),
        ("af", "instantiate", "Kon nie posfunksie instansieer nie."),
        ("ar", "authenticate", "خطأ SMTP : لا يمكن تأكيد الهوية."),
        ("ar", "authenticate", "خطأ SMTP : لم نستطع تأكيد الهوية."), // d8463575
        ("ar", "authenticate", "SMTP Error: لم نستطع تأكيد الهوية."), // 45aaab07
        ("ar", "connect_host", "خطأ SMTP: لا يمكن الاتصال بالخادم SMTP."),
        ("ar", "connect_host", "خطأ SMTP: لم نستطع الاتصال بالخادم SMTP."), // d8463575
        ("ar", "connect_host", "SMTP Error: لم نستطع الاتصال بمخدم SMTP."), // 45aaab07
        ("ar", "smtp_connect_failed", "SMTP Connect() غير ممكن."),
        ("ar", "data_not_accepted", "خطأ SMTP: لم يتم قبول المعلومات ."),
        ("ar", "data_not_accepted", "SMTP Error: لم يتم قبول المعلومات ."), // 45aaab07
        ("ar", "from_failed", "خطأ على مستوى عنوان المرسل : "),
        ("ar", "from_failed", "البريد التالي لم نستطع ارسال البريد له : "), // d8463575
        ("ar", "recipients_failed", "خطأ SMTP: الأخطاء التالية فشل في الارسال لكل من : "),
        ("ar", "recipients_failed", "SMTP Error: الأخطاء التالية فشل في الارسال لكل من : "), // 45aaab07
        ("ar", "smtp_error", "خطأ على مستوى الخادم SMTP: "),
        ("ar", "instantiate", "لا يمكن توفير خدمة البريد."),
        ("ar", "instantiate", "لم نستطع توفير خدمة البريد."), // d8463575
        ("as", "authenticate", "SMTP ত্ৰুটি: প্ৰমাণীকৰণ কৰিব নোৱাৰি"),
        ("as", "connect_host", "SMTP ত্ৰুটি: SMTP চাৰ্ভাৰৰ সৈতে সংযোগ কৰিবলে অক্ষম"),
        ("as", "smtp_connect_failed", "SMTP সংযোগ() ব্যৰ্থ"),
        ("as", "data_not_accepted", "SMTP ত্ৰুটি: তথ্য গ্ৰহণ কৰা হোৱা নাই"),
        ("as", "from_failed", "নিম্নলিখিত প্ৰেৰকৰ ঠিকনা(সমূহ) ব্যৰ্থ: "),
        ("as", "recipients_failed", "SMTP ত্ৰুটি: নিম্নলিখিত গন্তব্যস্থানসমূহ ব্যৰ্থ: "),
        ("as", "smtp_error", "SMTP চাৰ্ভাৰৰ ত্ৰুটি: "),
        ("as", "instantiate", "মেইল ফাংচনৰ এটা উদাহৰণ সৃষ্টি কৰিবলে অক্ষম"),
        ("az", "authenticate", "SMTP xətası: Giriş uğursuz oldu."),
        ("az", "connect_host", "SMTP xətası: SMTP serverinə qoşulma uğursuz oldu."),
        ("az", "smtp_connect_failed", "SMTP serverinə qoşulma uğursuz oldu."),
        ("az", "data_not_accepted", "SMTP xətası: Verilənlər qəbul edilməyib."),
        ("az", "from_failed", "Göstərilən poçtlara göndərmə uğursuz oldu: "),
        ("az", "recipients_failed", "SMTP xətası: Aşağıdakı ünvanlar üzrə alıcılara göndərmə uğursuzdur: "),
        ("az", "smtp_error", "SMTP serveri xətası: "),
        ("az", "instantiate", "Mail funksiyası işə salına bilmədi."),
        ("ba", "authenticate", "SMTP Greška: Neuspjela prijava."),
        ("ba", "connect_host", "SMTP Greška: Nije moguće spojiti se sa SMTP serverom."),
        ("ba", "connect_host", "SMTP Greška: Ne moguće se spojiti sa SMTP serverom."), // 7a037c1e
        ("ba", "smtp_connect_failed", "Spajanje na SMTP server nije uspjelo."),
        ("ba", "data_not_accepted", "SMTP Greška: Podatci nisu prihvaćeni."),
        ("ba", "from_failed", "SMTP Greška: Slanje sa navedenih e-mail adresa nije uspjelo: "),
        ("ba", "recipients_failed", "SMTP Greška: Slanje na navedene e-mail adrese nije uspjelo: "),
        ("ba", "smtp_error", "SMTP greška: "),
        ("ba", "instantiate", "Ne mogu pokrenuti mail funkcionalnost."),
        ("be", "authenticate", "Памылка SMTP: памылка ідэнтыфікацыі."),
        ("be", "connect_host", "Памылка SMTP: нельга ўстанавіць сувязь з SMTP-серверам."),
        ("be", "smtp_connect_failed", "Памылка сувязі з SMTP-серверам."),
        ("be", "data_not_accepted", "Памылка SMTP: звесткі непрынятыя."),
        ("be", "from_failed", "Няправільны адрас адпраўніка: "),
        ("be", "recipients_failed", "Памылка SMTP: няправільныя атрымальнікі: "),
        ("be", "smtp_error", "Памылка SMTP: "),
        ("be", "instantiate", "Нельга прымяніць функцыю mail()."),
        ("bg", "authenticate", "SMTP грешка: Не може да се удостовери пред сървъра."),
        ("bg", "connect_host", "SMTP грешка: Не може да се свърже с SMTP хоста."),
        ("bg", "smtp_connect_failed", "SMTP провален connect()."),
        ("bg", "data_not_accepted", "SMTP грешка: данните не са приети."),
        ("bg", "from_failed", "Следните адреси за подател са невалидни: "),
        ("bg", "recipients_failed", "SMTP грешка: Следните адреси за Получател са невалидни: "),
        ("bg", "smtp_error", "SMTP сървърна грешка: "),
        ("bg", "instantiate", "Не може да се инстанцира функцията mail."),
        ("bn", "authenticate", "SMTP ত্রুটি: প্রমাণীকরণ করতে অক্ষম৷"),
        ("bn", "connect_host", "SMTP ত্রুটি: SMTP সার্ভারের সাথে সংযোগ করতে অক্ষম৷"),
        ("bn", "smtp_connect_failed", "SMTP সংযোগ() ব্যর্থ হয়েছে৷"),
        ("bn", "data_not_accepted", "SMTP ত্রুটি: ডেটা গ্রহণ করা হয়নি৷"),
        ("bn", "from_failed", "নিম্নলিখিত প্রেরকের ঠিকানা(গুলি) ব্যর্থ হয়েছে: "),
        ("bn", "recipients_failed", "SMTP ত্রুটি: নিম্নলিখিত গন্তব্যগুলি ব্যর্থ হয়েছে: "),
        ("bn", "smtp_error", "SMTP সার্ভার ত্রুটি: "),
        ("bn", "instantiate", "মেল ফাংশনের একটি উদাহরণ তৈরি করতে অক্ষম৷"),
        ("ca", "authenticate", "Error SMTP: No s’ha pogut autenticar."),
        ("ca", "authenticate", "Error SMTP: No s'hapogut autenticar."), // 24eda1ac
        ("ca", "connect_host", "Error SMTP: No es pot connectar al servidor SMTP."),
        ("ca", "smtp_connect_failed", "Ha fallat el SMTP Connect()."),
        ("ca", "data_not_accepted", "Error SMTP: Dades no acceptades."),
        ("ca", "from_failed", "La(s) següent(s) adreces de remitent han fallat: "),
        ("ca", "recipients_failed", "Error SMTP: Els següents destinataris han fallat: "),
        ("ca", "smtp_error", "Error del servidor SMTP: "),
        ("ca", "instantiate", "No s’ha pogut crear una instància de la funció Mail."),
        ("cs", "authenticate", "Chyba SMTP: Autentizace selhala."),
        ("cs", "connect_host", "Chyba SMTP: Nelze navázat spojení se SMTP serverem."),
        ("cs", "smtp_connect_failed", "SMTP Connect() selhal."),
        ("cs", "data_not_accepted", "Chyba SMTP: Data nebyla přijata."),
        ("cs", "from_failed", "Následující adresa odesílatele je nesprávná: "),
        ("cs", "recipients_failed", "Chyba SMTP: Následující adresy příjemců nejsou správně: "),
        ("cs", "smtp_error", "Chyba SMTP serveru: "),
        ("cs", "instantiate", "Nelze vytvořit instanci emailové funkce."),
        ("da", "authenticate", "SMTP fejl: Login mislykkedes."),
        ("da", "authenticate", "SMTP fejl: Kunne ikke logge på."), // 7eff7281
        ("da", "connect_host", "SMTP fejl: Forbindelse til SMTP serveren kunne ikke oprettes."),
        ("da", "connect_host", "SMTP fejl: Kunne ikke tilslutte SMTP serveren."), // 7eff7281
        ("da", "smtp_connect_failed", "SMTP Connect() fejlede."),
        ("da", "data_not_accepted", "SMTP fejl: Data blev ikke accepteret."),
        ("da", "data_not_accepted", "SMTP fejl: Data kunne ikke accepteres."), // 7eff7281
        ("da", "from_failed", "Følgende afsenderadresse er forkert: "),
        ("da", "recipients_failed", "SMTP fejl: Følgende modtagere fejlede: "),
        ("da", "recipients_failed", "SMTP fejl: Følgende modtagere er forkerte: "), // 46b8da84
        ("da", "smtp_error", "SMTP server fejl: "),
        ("da", "instantiate", "Email funktionen kunne ikke initialiseres."),
        ("da", "instantiate", "Kunne ikke initialisere email funktionen."), // 7eff7281
        (
            "da",
            "no_smtputf8",
            "Serveren understøtter ikke SMTPUTF8 som påkrævet for at sende til Unicode adresser",
        ),
        ("el", "authenticate", "Σφάλμα SMTP: Αδυναμία πιστοποίησης."),
        ("el", "authenticate", "SMTP Σφάλμα: Αδυναμία πιστοποίησης (authentication)."), // e6fbc528
        ("el", "connect_host", "Σφάλμα SMTP: Αδυναμία σύνδεσης με τον φιλοξενητή SMTP."),
        ("el", "connect_host", "SMTP Σφάλμα: Αδυναμία σύνδεσης στον SMTP-Host."), // e6fbc528
        ("el", "smtp_connect_failed", "Αποτυχία σύνδεσης SMTP."),
        ("el", "smtp_connect_failed", "Αποτυχία σύνδεσης στον SMTP Server."), // e6fbc528
        ("el", "data_not_accepted", "Σφάλμα SMTP: Μη αποδεκτά δεδομένα."),
        ("el", "data_not_accepted", "SMTP Σφάλμα: Τα δεδομένα δεν έγιναν αποδεκτά."), // e6fbc528
        ("el", "from_failed", "Η ακόλουθη διεύθυνση αποστολέα δεν είναι σωστή: "),
        ("el", "from_failed", "Η παρακάτω διεύθυνση αποστολέα δεν είναι σωστή: "), // e6fbc528
        ("el", "recipients_failed", "Σφάλμα SMTP: Οι παρακάτω διευθύνσεις παραλήπτη δεν είναι έγκυρες: "),
        ("el", "recipients_failed", "SMTP Σφάλμα: Οι παρακάτω διευθύνσεις παραλήπτη δεν είναι έγκυρες: "), // e6fbc528
        ("el", "recipients_failed", "SMTP Σφάλμα: Οι παρακάτων διευθύνσεις παραλήπτη δεν είναι έγκυρες: "), // 4680d1f6
        ("el", "smtp_error", "Σφάλμα με τον διακομιστή SMTP: "),
        ("el", "smtp_error", "Σφάλμα από τον SMTP Server: "), // e6fbc528
        ("el", "instantiate", "Αδυναμία εκκίνησης συνάρτησης Mail."),
        ("el", "instantiate", "Αδυναμία εκκίνησης Mail function."), // e6fbc528
        ("eo", "authenticate", "SMTP-eraro: Ne eblis aŭtentigi."),
        ("eo", "authenticate", "Eraro de servilo SMTP : aŭtentigo malsukcesis."), // 8b7828d3
        ("eo", "connect_host", "SMTP-eraro: Ne eblis konektiĝi al la SMTP-gastiganto."),
        ("eo", "connect_host", "Eraro de servilo SMTP : konektado al servilo malsukcesis."), // 8b7828d3
        ("eo", "smtp_connect_failed", "La SMTP-konektiĝo malsukcesis."),
        ("eo", "smtp_connect_failed", "SMTP konektado malsukcesis."), // 8b7828d3
        ("eo", "data_not_accepted", "SMTP-eraro: Datumoj ne akceptitaj."),
        ("eo", "data_not_accepted", "Eraro de servilo SMTP : neĝustaj datumoj."), // 8b7828d3
        ("eo", "from_failed", "La sekva(j) sendinto(j) malsukcesis: "),
        ("eo", "from_failed", "Jena adreso de sendinto malsukcesis: "), // 8b7828d3
        ("eo", "recipients_failed", "SMTP-eraro: La sekva(j) ricevonto(j) malsukcesis: "),
        ("eo", "recipients_failed", "Eraro de servilo SMTP : la jenaj poŝtrecivuloj kaŭzis eraron: "), // 8b7828d3
        ("eo", "smtp_error", "Eraro de SMTP-servilo: "),
        ("eo", "smtp_error", "Eraro de servilo SMTP : "), // 8b7828d3
        ("eo", "instantiate", "Ne eblis funkciigi la retpoŝtan funkcion."),
        ("eo", "instantiate", "Genero de retmesaĝa funkcio neeblis."), // 8b7828d3
        (
            "eo",
            "no_smtputf8",
            "La servilo ne subtenas SMTPUTF8, kiu estas bezonata por sendi al Unicode-adresoj.",
        ),
        ("et", "authenticate", "SMTP Viga: Autoriseerimise viga."),
        ("et", "connect_host", "SMTP Viga: Ei õnnestunud luua ühendust SMTP serveriga."),
        ("et", "smtp_connect_failed", "SMTP Connect() ebaõnnestus."),
        ("et", "data_not_accepted", "SMTP Viga: Vigased andmed."),
        ("et", "from_failed", "Järgnev saatja e-posti aadress on vigane: "),
        ("et", "recipients_failed", "SMTP Viga: Järgnevate saajate e-posti aadressid on vigased: "),
        ("et", "smtp_error", "SMTP serveri viga: "),
        ("et", "instantiate", "mail funktiooni käivitamine ebaõnnestus."),
        ("fa", "authenticate", "خطای SMTP: احراز هویت با شکست مواجه شد."),
        ("fa", "authenticate", "SMTP Error: احراز هویت با شکست مواجه شد."), // 0a69a07d
        ("fa", "connect_host", "خطای SMTP: اتصال به سرور SMTP برقرار نشد."),
        ("fa", "connect_host", "SMTP Error: اتصال به سرور SMTP برقرار نشد."), // 0a69a07d
        ("fa", "smtp_connect_failed", "خطا در اتصال به SMTP."),
        ("fa", "data_not_accepted", "خطای SMTP: داده‌ها نا‌درست هستند."),
        ("fa", "data_not_accepted", "خطای SMTP: داده ها نا‌درست هستند."), // d953b65c
        ("fa", "data_not_accepted", "SMTP Error: داده ها نادرست هستند."), // 0a69a07d
        ("fa", "from_failed", "آدرس فرستنده اشتباه است: "),
        ("fa", "recipients_failed", "خطای SMTP: ارسال به آدرس گیرنده با خطا مواجه شد: "),
        ("fa", "recipients_failed", "SMTP Error: ارسال به آدرس گیرنده با خطا مواجه شد: "), // 0a69a07d
        ("fa", "smtp_error", "خطا در SMTP Server: "),
        ("fa", "instantiate", "امکان معرفی تابع ایمیل وجود ندارد."),
        ("fi", "authenticate", "SMTP-virhe: käyttäjätunnistus epäonnistui."),
        ("fi", "connect_host", "SMTP-virhe: yhteys palvelimeen ei onnistu."),
        ("fi", "data_not_accepted", "SMTP-virhe: data on virheellinen."),
        ("fi", "from_failed", "Seuraava lähettäjän osoite on virheellinen: "),
        ("fi", "recipients_failed", "SMTP-virhe: seuraava vastaanottaja osoite on virheellinen."),
        ("fi", "instantiate", "mail-funktion luonti epäonnistui."),
        ("fo", "authenticate", "SMTP feilur: Kundi ikki góðkenna."),
        ("fo", "connect_host", "SMTP feilur: Kundi ikki knýta samband við SMTP vert."),
        ("fo", "data_not_accepted", "SMTP feilur: Data ikki góðkent."),
        ("fo", "from_failed", "fylgjandi Frá/From adressa miseydnaðist: "),
        ("fo", "recipients_failed", "SMTP Feilur: Fylgjandi móttakarar miseydnaðust: "),
        ("fo", "instantiate", "Kuni ikki instantiera mail funktión."),
        ("gl", "authenticate", "Erro SMTP: Non puido ser autentificado."),
        ("gl", "connect_host", "Erro SMTP: Non puido conectar co servidor SMTP."),
        ("gl", "smtp_connect_failed", "SMTP Connect() fallou."),
        ("gl", "data_not_accepted", "Erro SMTP: Datos non aceptados."),
        ("gl", "from_failed", "A(s) seguinte(s) dirección(s) de remitente(s) deron erro: "),
        ("gl", "recipients_failed", "Erro SMTP: Os seguintes destinos fallaron: "),
        ("gl", "smtp_error", "Erro do servidor SMTP: "),
        ("gl", "instantiate", "Non puido crear unha instancia da función Mail."),
        ("he", "authenticate", "שגיאת SMTP: פעולת האימות נכשלה."),
        ("he", "connect_host", "שגיאת SMTP: לא הצלחתי להתחבר לשרת SMTP."),
        ("he", "data_not_accepted", "שגיאת SMTP: מידע לא התקבל."),
        ("he", "from_failed", "כתובות הנמענים הבאות נכשלו: "),
        ("he", "recipients_failed", "שגיאת SMTP: הנמענים הבאים נכשלו: "),
        ("he", "smtp_error", "שגיאת שרת SMTP: "),
        ("he", "instantiate", "לא הצלחתי להפעיל את פונקציית המייל."),
        ("hi", "authenticate", "SMTP त्रुटि: प्रामाणिकता की जांच नहीं हो सका। "),
        ("hi", "connect_host", "SMTP त्रुटि: SMTP सर्वर से कनेक्ट नहीं हो सका। "),
        ("hi", "smtp_connect_failed", "SMTP का connect () फ़ंक्शन विफल हुआ। "),
        ("hi", "data_not_accepted", "SMTP त्रुटि: डेटा स्वीकार नहीं किया जाता है। "),
        ("hi", "from_failed", "प्रेषक का पता गलत है। "),
        ("hi", "recipients_failed", "SMTP त्रुटि: निम्न प्राप्तकर्ताओं को पते भेजने में विफल। "),
        ("hi", "smtp_error", "SMTP सर्वर त्रुटि। "),
        ("hi", "instantiate", "मेल फ़ंक्शन कॉल नहीं कर सकता है।"),
        ("hr", "authenticate", "SMTP Greška: Neuspjela autentikacija."),
        ("hr", "connect_host", "SMTP Greška: Ne mogu se spojiti na SMTP poslužitelj."),
        ("hr", "smtp_connect_failed", "Spajanje na SMTP poslužitelj nije uspjelo."),
        ("hr", "data_not_accepted", "SMTP Greška: Podatci nisu prihvaćeni."),
        ("hr", "from_failed", "SMTP Greška: Slanje s navedenih e-mail adresa nije uspjelo: "),
        ("hr", "from_failed", "SMTP Greška: Slanje s navedenih e-mail adrese nije uspjelo: "), // f7b3088d
        ("hr", "recipients_failed", "SMTP Greška: Slanje na navedenih e-mail adresa nije uspjelo: "),
        ("hr", "recipients_failed", "SMTP Greška: Slanje na navedenih e-mail adrese nije uspjelo: "), // f7b3088d
        ("hr", "smtp_error", "Greška SMTP poslužitelja: "),
        ("hr", "instantiate", "Ne mogu pokrenuti mail funkcionalnost."),
        ("hu", "authenticate", "SMTP hiba: az azonosítás sikertelen."),
        ("hu", "authenticate", "SMTP Hiba: Sikertelen autentikáció."), // 6e499bdb
        ("hu", "connect_host", "SMTP hiba: nem lehet kapcsolódni az SMTP-szerverhez."),
        ("hu", "connect_host", "SMTP Hiba: Nem tudtam csatlakozni az SMTP host-hoz."), // 6e499bdb
        ("hu", "smtp_connect_failed", "Hiba az SMTP-kapcsolatban."),
        ("hu", "data_not_accepted", "SMTP hiba: adatok visszautasítva."),
        ("hu", "data_not_accepted", "SMTP Hiba: Nem elfogadható adat."), // 6e499bdb
        ("hu", "from_failed", "A feladóként megadott következő cím hibás: "),
        ("hu", "from_failed", "Az alábbi Feladó cím hibás: "), // 6e499bdb
        ("hu", "recipients_failed", "SMTP hiba: a címzettként megadott következő címek hibásak: "),
        ("hu", "recipients_failed", "SMTP Hiba: Az alábbi címzettek hibásak: "), // 6e499bdb
        ("hu", "smtp_error", "SMTP-szerver hiba: "),
        ("hu", "instantiate", "A PHP mail() függvényt nem sikerült végrehajtani."),
        ("hu", "instantiate", "Nem sikerült példányosítani a mail funkciót."), // 6e499bdb
        ("hy", "authenticate", "SMTP -ի սխալ: չհաջողվեց ստուգել իսկությունը."),
        ("hy", "connect_host", "SMTP -ի սխալ: չհաջողվեց կապ հաստատել SMTP սերվերի հետ."),
        ("hy", "smtp_connect_failed", "SMTP -ի connect() ֆունկցիան չի հաջողվել"),
        ("hy", "data_not_accepted", "SMTP -ի սխալ: տվյալները ընդունված չեն."),
        ("hy", "from_failed", "Ուղարկողի հետևյալ հասցեն սխալ է: "),
        ("hy", "recipients_failed", "SMTP -ի սխալ: չի հաջողվել ուղարկել հետևյալ ստացողների հասցեներին: "),
        ("hy", "smtp_error", "SMTP սերվերի սխալ: "),
        ("hy", "instantiate", "Հնարավոր չէ կանչել mail ֆունկցիան."),
        ("id", "authenticate", "Kesalahan SMTP: Tidak dapat mengotentikasi."),
        ("id", "authenticate", "Kesalahan SMTP: Tidak dapat mengautentikasi."), // bbacda8c
        ("id", "authenticate", "SMTP Error: Tidak dapat mengautentikasi."),     // 311c9573
        ("id", "connect_host", "Kesalahan SMTP: Tidak dapat terhubung ke host SMTP."),
        ("id", "connect_host", "SMTP Error: Tidak dapat terhubung ke host SMTP."), // 311c9573
        ("id", "smtp_connect_failed", "SMTP Connect() gagal."),
        ("id", "data_not_accepted", "Kesalahan SMTP: Data tidak diterima."),
        ("id", "data_not_accepted", "Kesalahan SMTP: Data tidak diterima peladen."), // 46869d46
        ("id", "data_not_accepted", "SMTP Error: Data tidak diterima server."),      // 311c9573
        ("id", "from_failed", "Alamat pengirim berikut mengakibatkan kesalahan: "),
        ("id", "from_failed", "Alamat pengirim berikut mengakibatkan kesalahan : "), // 80724ec8
        ("id", "from_failed", "Alamat pengirim berikut mengakibatkan error : "),     // bbacda8c
        ("id", "recipients_failed", "Kesalahan SMTP: Alamat tujuan berikut menyebabkan kesalahan: "),
        ("id", "recipients_failed", "Kesalahan SMTP: Alamat tujuan berikut menghasilkan kesalahan : "), // 80724ec8
        ("id", "recipients_failed", "Kesalahan SMTP: Alamat tujuan berikut menghasilkan error : "), // bbacda8c
        ("id", "recipients_failed", "SMTP Error: Alamat tujuan berikut menghasilkan error : "), // 311c9573
        ("id", "smtp_error", "Kesalahan pada pelayan SMTP: "),
        ("id", "smtp_error", "Kesalahan pada pelayan SMTP : "), // 80724ec8
        ("id", "smtp_error", "Kesalahan peladen SMTP : "),      // bbacda8c
        ("id", "smtp_error", "Kegagalan SMTP server : "),       // 311c9573
        ("id", "instantiate", "Tidak dapat menginisialisasi fungsi surel."),
        ("id", "instantiate", "Tidak dapat menginisialisasi fungsi surel"), // 80724ec8
        ("id", "instantiate", "Tidak dapat menginisialisasi fungsi email"), // bbacda8c
        ("ja", "authenticate", "SMTPエラー: 認証できませんでした。"),
        ("ja", "connect_host", "SMTPエラー: SMTPホストに接続できませんでした。"),
        ("ja", "smtp_connect_failed", "SMTP接続に失敗しました。"),
        ("ja", "data_not_accepted", "SMTPエラー: データが受け付けられませんでした。"),
        ("ja", "from_failed", "Fromアドレスを登録する際にエラーが発生しました: "),
        ("ja", "from_failed", "次のFromアドレスに間違いがあります: "), // 10c57b72
        ("ja", "recipients_failed", "SMTPエラー: 次の受信者アドレスに 間違いがあります: "),
        ("ja", "smtp_error", "SMTPサーバーエラー: "),
        ("ja", "instantiate", "メール関数が正常に動作しませんでした。"),
        ("ka", "authenticate", "SMTP შეცდომა: ავტორიზაცია შეუძლებელია."),
        ("ka", "connect_host", "SMTP შეცდომა: SMTP სერვერთან დაკავშირება შეუძლებელია."),
        ("ka", "smtp_connect_failed", "შეცდომა SMTP სერვერთან დაკავშირებისას"),
        ("ka", "data_not_accepted", "SMTP შეცდომა: მონაცემები არ იქნა მიღებული."),
        ("ka", "from_failed", "გამგზავნის არასწორი მისამართი: "),
        ("ka", "recipients_failed", "SMTP შეცდომა: შემდეგ მისამართებზე გაგზავნა ვერ მოხერხდა: "),
        ("ka", "smtp_error", "SMTP სერვერის შეცდომა: "),
        ("ka", "instantiate", "mail ფუნქციის გაშვება ვერ ხერხდება."),
        ("ko", "authenticate", "SMTP 오류: 인증할 수 없습니다."),
        ("ko", "connect_host", "SMTP 오류: SMTP 호스트에 접속할 수 없습니다."),
        ("ko", "smtp_connect_failed", "SMTP 연결을 실패하였습니다."),
        ("ko", "data_not_accepted", "SMTP 오류: 데이터가 받아들여지지 않았습니다."),
        ("ko", "from_failed", "다음 From 주소에서 오류가 발생했습니다: "),
        ("ko", "recipients_failed", "SMTP 오류: 다음 수신자에서 오류가 발생했습니다: "),
        ("ko", "smtp_error", "SMTP 서버 오류: "),
        ("ko", "instantiate", "mail 함수를 인스턴스화할 수 없습니다"),
        ("ku", "authenticate", "هەڵەی SMTP : نەتوانرا کۆدەکە پشتڕاست بکرێتەوە "),
        ("ku", "connect_host", "هەڵەی SMTP: نەتوانرا پەیوەندی بە سێرڤەرەوە بکات SMTP."),
        ("ku", "smtp_connect_failed", "SMTP Connect()پەیوەندی شکستی هێنا ."),
        ("ku", "data_not_accepted", "هەڵەی SMTP: ئەو زانیاریانە قبوڵ نەکرا."),
        ("ku", "from_failed", "هەڵە لە ئاستی ناونیشانی نێرەر: "),
        ("ku", "recipients_failed", " هەڵەی SMTP: ئەم هەڵانەی خوارەوەشکستی هێنا لە ناردن بۆ هەردووکیان: "),
        ("ku", "smtp_error", "هەڵەی ئاستی سێرڤەری SMTP: "),
        ("ku", "instantiate", "ناتوانرێت خزمەتگوزاری پۆستە پێشکەش بکرێت."),
        ("lt", "authenticate", "SMTP klaida: autentifikacija nepavyko."),
        ("lt", "connect_host", "SMTP klaida: nepavyksta prisijungti prie SMTP stoties."),
        ("lt", "smtp_connect_failed", "SMTP susijungimo klaida"),
        ("lt", "data_not_accepted", "SMTP klaida: duomenys nepriimti."),
        ("lt", "from_failed", "Neteisingas siuntėjo adresas: "),
        ("lt", "recipients_failed", "SMTP klaida: nepavyko išsiųsti šiems gavėjams: "),
        ("lt", "smtp_error", "SMTP stoties klaida: "),
        ("lt", "instantiate", "Nepavyko paleisti mail funkcijos."),
        ("lv", "authenticate", "SMTP kļūda: Autorizācija neizdevās."),
        ("lv", "connect_host", "SMTP Kļūda: Nevar izveidot savienojumu ar SMTP serveri."),
        ("lv", "smtp_connect_failed", "SMTP savienojuma kļūda"),
        ("lv", "data_not_accepted", "SMTP Kļūda: Nepieņem informāciju."),
        ("lv", "from_failed", "Nepareiza sūtītāja adrese: "),
        ("lv", "recipients_failed", "SMTP kļūda: neizdevās nosūtīt šādiem saņēmējiem: "),
        ("lv", "smtp_error", "SMTP servera kļūda: "),
        ("lv", "instantiate", "Nevar palaist sūtīšanas funkciju."),
        ("mg", "authenticate", "Hadisoana SMTP: Tsy nahomby ny fanamarinana."),
        ("mg", "connect_host", "SMTP Error: Tsy afaka mampifandray amin'ny mpampiantrano SMTP."),
        ("mg", "smtp_connect_failed", "Tsy nahomby ny fifandraisana tamin'ny server SMTP."),
        ("mg", "data_not_accepted", "SMTP diso: tsy voarakitra ny angona."),
        ("mg", "from_failed", "Ny adiresy iraka manaraka dia diso: "),
        ("mg", "recipients_failed", "SMTP Error: Tsy mety ireo mpanaraka ireto: "),
        ("mg", "smtp_error", "Fahadisoana tamin'ny server SMTP: "),
        ("mg", "instantiate", "Tsy afaka nanomboka ny hetsika mail."),
        ("mn", "authenticate", "Алдаа SMTP: Холбогдож чадсангүй."),
        ("mn", "connect_host", "Алдаа SMTP: SMTP- сервертэй холбогдож болохгүй байна."),
        ("mn", "smtp_connect_failed", "SMTP сервертэй холбогдоход алдаа гарлаа"),
        ("mn", "data_not_accepted", "Алдаа SMTP: зөвшөөрөгдсөнгүй."),
        ("mn", "from_failed", "Илгээгчийн хаяг буруу байна: "),
        ("mn", "recipients_failed", "Алдаа SMTP: ийм хаягийг илгээж чадсангүй: "),
        ("mn", "smtp_error", "SMTP серверийн алдаа: "),
        ("mn", "instantiate", "Mail () функцийг ажиллуулах боломжгүй байна."),
        ("ms", "authenticate", "Ralat SMTP: Tidak dapat pengesahan."),
        ("ms", "connect_host", "Ralat SMTP: Tidak dapat menghubungi hos pelayan SMTP."),
        ("ms", "smtp_connect_failed", "SMTP Connect() telah gagal."),
        ("ms", "data_not_accepted", "Ralat SMTP: Data tidak diterima oleh pelayan."),
        ("ms", "from_failed", "Berikut merupakan ralat dari alamat e-mel: "),
        ("ms", "recipients_failed", "Ralat SMTP: Penerima e-mel berikut telah gagal: "),
        ("ms", "smtp_error", "Ralat pada pelayan SMTP: "),
        ("ms", "instantiate", "Tidak dapat memberi contoh fungsi e-mel."),
        ("nb", "authenticate", "SMTP-feil: Kunne ikke autentisere."),
        ("nb", "authenticate", "SMTP-feil: Kunne ikke autentiseres."), // 07db4a7a
        ("nb", "authenticate", "SMTP Feil: Kunne ikke autentisere."),  // 2e7044c0
        ("nb", "connect_host", "SMTP-feil: Kunne ikke koble til SMTP-vert."),
        ("nb", "connect_host", "SMTP Feil: Kunne ikke koble til SMTP tjener."), // 2e7044c0
        ("nb", "smtp_connect_failed", "SMTP connect() mislyktes."),
        ("nb", "smtp_connect_failed", "SMTP connect() feilet."), // 2e7044c0
        ("nb", "data_not_accepted", "SMTP-feil: data ikke akseptert."),
        ("nb", "data_not_accepted", "SMTP Feil: Datainnhold ikke akseptert."), // 2e7044c0
        ("nb", "data_not_accepted", "SMTP Feil: Data ble ikke akseptert."),    // 5807c1fc
        ("nb", "from_failed", "Følgende avsenderadresse mislyktes: "),
        ("nb", "from_failed", "Følgende Fra-adresse mislyktes: "), // 07db4a7a
        ("nb", "from_failed", "Følgende Frå adresse feilet: "),    // 2e7044c0
        ("nb", "from_failed", "Følgende avsenderadresse feilet: "), // 5807c1fc
        ("nb", "recipients_failed", "SMTP-feil: Følgende mottakeradresser feilet: "),
        ("nb", "recipients_failed", "SMTP Feil: Følgende mottakeradresse feilet: "), // 13eb0f23
        ("nb", "recipients_failed", "SMTP Feil: Følgende mottagere feilet: "),       // 5807c1fc
        ("nb", "smtp_error", "SMTP-serverfeil: "),
        ("nb", "smtp_error", "SMTP server feil: "), // 2e7044c0
        ("nb", "instantiate", "Kunne ikke starte e-postfunksjonen."),
        ("nb", "instantiate", "Kunne ikke instansiere e-postfunksjonen."), // 07db4a7a
        ("nb", "instantiate", "Kunne ikke initialisere post funksjon."),   // 2e7044c0
        ("nb", "instantiate", "Kunne ikke initialisere mailfunksjonen."),  // 5807c1fc
        (
            "nb",
            "no_smtputf8",
            "Serveren støtter ikke SMTPUTF8, som er nødvendig for å sende til Unicode-adresser.",
        ),
        ("ro", "authenticate", "Eroare SMTP: Autentificarea a eșuat."),
        ("ro", "authenticate", "Eroare SMTP: Nu a functionat autentificarea."), // 593a0c58
        ("ro", "connect_host", "Eroare SMTP: Conectarea la serverul SMTP a eșuat."),
        ("ro", "connect_host", "Eroare SMTP: Nu m-am putut conecta la adresa SMTP."), // 593a0c58
        ("ro", "smtp_connect_failed", "Conectarea la serverul SMTP a eșuat."),
        ("ro", "smtp_connect_failed", "Conectarea la serverul SMTP a esuat."), // 593a0c58
        ("ro", "data_not_accepted", "Eroare SMTP: Datele nu au fost acceptate."),
        ("ro", "data_not_accepted", "Eroare SMTP: Continutul mailului nu a fost acceptat."), // 593a0c58
        ("ro", "from_failed", "Următoarele adrese From au dat eroare: "),
        ("ro", "from_failed", "Urmatoarele adrese From au dat eroare: "), // 593a0c58
        ("ro", "recipients_failed", "Eroare SMTP: Următoarele adrese de email au eșuat: "),
        ("ro", "recipients_failed", "Eroare SMTP: Urmatoarele adrese de mail au dat eroare: "), // 593a0c58
        ("ro", "smtp_error", "Eroare server SMTP: "),
        ("ro", "smtp_error", "A aparut o eroare la serverul SMTP. "), // 593a0c58
        ("ro", "instantiate", "Funcția mail nu a putut fi inițializată."),
        ("ro", "instantiate", "Nu am putut instantia functia mail."), // 593a0c58
        ("ru", "authenticate", "Ошибка SMTP: не удалось пройти аутентификацию."),
        ("ru", "authenticate", "Ошибка SMTP: ошибка авторизации."), // 41027807
        ("ru", "connect_host", "Ошибка SMTP: не удается подключиться к SMTP-серверу."),
        ("ru", "connect_host", "Ошибка SMTP: не удается подключиться к серверу SMTP."), // 573b644d
        ("ru", "smtp_connect_failed", "Ошибка соединения с SMTP-сервером."),
        ("ru", "smtp_connect_failed", "Ошибка соединения с SMTP-сервером"), // 41027807
        ("ru", "data_not_accepted", "Ошибка SMTP: данные не приняты."),
        ("ru", "from_failed", "Неверный адрес отправителя: "),
        ("ru", "recipients_failed", "Ошибка SMTP: Ошибка следующих получателей: "),
        ("ru", "recipients_failed", "Ошибка SMTP: не удалась отправка таким адресатам: "), // 41027807
        ("ru", "recipients_failed", "Ошибка SMTP: отправка по следующим адресам получателей не удалась: "), // 573b644d
        ("ru", "smtp_error", "Ошибка SMTP-сервера: "),
        ("ru", "instantiate", "Невозможно запустить функцию mail()."),
        ("ru", "instantiate", "Невозможно запустить функцию mail."), // 573b644d
        ("si", "authenticate", "SMTP දෝෂය: සත්‍යාපනය අසාර්ථක විය."),
        ("si", "connect_host", "SMTP දෝෂය: සම්බන්ධ වීමට නොහැකි විය."),
        ("si", "smtp_connect_failed", "SMTP සම්බන්ධය අසාර්ථක විය."),
        ("si", "data_not_accepted", "SMTP දෝෂය: දත්ත පිළිගනු නොලැබේ."),
        ("si", "from_failed", "පහත From ලිපිනයන් අසාර්ථක විය: "),
        ("si", "recipients_failed", "SMTP දෝෂය: පහත ලබන්නන් අසමත් විය: "),
        ("si", "smtp_error", "SMTP දෝෂය: "),
        ("si", "instantiate", "mail function එක ක්‍රියාත්මක කළ නොහැක."),
        ("sk", "authenticate", "SMTP Error: Chyba autentifikácie."),
        ("sk", "connect_host", "SMTP Error: Nebolo možné nadviazať spojenie so SMTP serverom."),
        ("sk", "smtp_connect_failed", "SMTP Connect() zlyhalo."),
        ("sk", "data_not_accepted", "SMTP Error: Dáta neboli prijaté"),
        ("sk", "from_failed", "Následujúca adresa From je nesprávna: "),
        ("sk", "recipients_failed", "SMTP Error: Adresy príjemcov niesu správne "),
        ("sk", "smtp_error", "SMTP chyba serveru: "),
        ("sk", "instantiate", "Nedá sa vytvoriť inštancia emailovej funkcie."),
        ("sl", "authenticate", "SMTP napaka: Avtentikacija ni uspela."),
        ("sl", "connect_host", "SMTP napaka: Vzpostavljanje povezave s SMTP gostiteljem ni uspelo."),
        ("sl", "connect_host", "SMTP napaka: Ne morem vzpostaviti povezave s SMTP gostiteljem."), // 97529805
        ("sl", "smtp_connect_failed", "Ne morem vzpostaviti povezave s SMTP strežnikom."),
        ("sl", "data_not_accepted", "SMTP napaka: Strežnik zavrača podatke."),
        ("sl", "from_failed", "Neveljaven e-naslov pošiljatelja: "),
        ("sl", "recipients_failed", "SMTP napaka: Sledeči naslovniki so neveljavni: "),
        ("sl", "smtp_error", "Napaka SMTP strežnika: "),
        ("sl", "instantiate", "Ne morem inicializirati mail funkcije."),
        ("sr", "authenticate", "SMTP грешка: аутентификација није успела."),
        ("sr", "connect_host", "SMTP грешка: повезивање са SMTP сервером није успело."),
        ("sr", "connect_host", "SMTP грешка: није могуће повезивање са SMTP сервером."), // 42439857
        ("sr", "smtp_connect_failed", "Повезивање са SMTP сервером није успело."),
        ("sr", "data_not_accepted", "SMTP грешка: подаци нису прихваћени."),
        ("sr", "from_failed", "SMTP грешка: слање са следећих адреса није успело: "),
        ("sr", "recipients_failed", "SMTP грешка: слање на следеће адресе није успело: "),
        ("sr", "smtp_error", "Грешка SMTP сервера: "),
        ("sr", "instantiate", "Није могуће покренути mail функцију."),
        ("sr_latn", "authenticate", "SMTP greška: autentifikacija nije uspela."),
        ("sr_latn", "connect_host", "SMTP greška: povezivanje sa SMTP serverom nije uspelo."),
        ("sr_latn", "smtp_connect_failed", "Povezivanje sa SMTP serverom nije uspelo."),
        ("sr_latn", "data_not_accepted", "SMTP greška: podaci nisu prihvaćeni."),
        ("sr_latn", "from_failed", "SMTP greška: slanje sa sledećih adresa nije uspelo: "),
        ("sr_latn", "recipients_failed", "SMTP greška: slanje na sledeće adrese nije uspelo: "),
        ("sr_latn", "smtp_error", "Greška SMTP servera: "),
        ("sr_latn", "instantiate", "Nije moguće pokrenuti mail funkciju."),
        ("sv", "authenticate", "SMTP fel: Kunde inte autentisera."),
        ("sv", "connect_host", "SMTP fel: Kunde inte ansluta till SMTP-server."),
        ("sv", "smtp_connect_failed", "SMTP Connect() misslyckades."),
        ("sv", "data_not_accepted", "SMTP fel: Data accepterades inte."),
        ("sv", "from_failed", "Följande avsändaradress är felaktig: "),
        ("sv", "recipients_failed", "SMTP fel: Följande mottagare är felaktig: "),
        ("sv", "smtp_error", "SMTP serverfel: "),
        ("sv", "smtp_error", "SMTP server fel: "), // c1c38e32
        ("sv", "instantiate", "Kunde inte initiera e-postfunktion."),
        ("tl", "authenticate", "SMTP Error: Hindi mapatotohanan."),
        ("tl", "connect_host", "SMTP Error: Hindi makakonekta sa SMTP host."),
        ("tl", "smtp_connect_failed", "Ang SMTP connect() ay nabigo."),
        ("tl", "smtp_connect_failed", "Ang SMTP connect() ay nabigo"), // 2cf7123c
        ("tl", "data_not_accepted", "SMTP Error: Ang datos ay hindi naitanggap."),
        ("tl", "data_not_accepted", "SMTP Error: Ang datos ay hindi maaaring matatanggap."), // 2cf7123c
        ("tl", "from_failed", "Ang sumusunod na address ay nabigo: "),
        ("tl", "recipients_failed", "SMTP Error: Ang mga sumusunod na tatanggap ay nabigo: "),
        ("tl", "smtp_error", "Ang server ng SMTP ay nabigo: "),
        ("tl", "smtp_error", "Ang server ng SMTP ay nabigo"), // 2cf7123c
        ("tl", "instantiate", "Hindi maisimulan ang instance ng mail function."),
        ("tl", "instantiate", "Hindi maaaring magbigay ng institusyon ang mail"), // 2cf7123c
        ("tr", "authenticate", "SMTP Hatası: Oturum açılamadı."),
        ("tr", "authenticate", "SMTP Hatası: Doğrulanamıyor."), // 4363fb50
        ("tr", "connect_host", "SMTP Hatası: SMTP sunucusuna bağlanılamadı."),
        ("tr", "connect_host", "SMTP Hatası: SMTP hosta bağlanılamıyor."), // 4363fb50
        ("tr", "smtp_connect_failed", "SMTP connect() fonksiyonu başarısız."),
        ("tr", "smtp_connect_failed", "SMTP bağlantı() başarısız."), // 4363fb50
        ("tr", "data_not_accepted", "SMTP Hatası: Veri kabul edilmedi."),
        ("tr", "from_failed", "Belirtilen adreslere gönderme başarısız: "),
        ("tr", "from_failed", "Başarısız olan gönderici adresi: "), // 4363fb50
        ("tr", "recipients_failed", "SMTP Hatası: Belirtilen alıcılara ulaşılamadı: "),
        ("tr", "recipients_failed", "SMTP Hatası: alıcılara ulaımadı: "), // 4363fb50
        ("tr", "smtp_error", "SMTP sunucu hatası: "),
        ("tr", "instantiate", "Örnek e-posta fonksiyonu oluşturulamadı."),
        ("tr", "instantiate", "Örnek mail fonksiyonu oluşturulamadı."), // 4363fb50
        (
            "tr",
            "no_smtputf8",
            "Unicode adreslere gönderim için gereken SMTPUTF8 desteği sunucu tarafından desteklenmiyor.",
        ),
        ("uk", "authenticate", "Помилка SMTP: помилка авторизації."),
        ("uk", "connect_host", "Помилка SMTP: не вдається під'єднатися до SMTP-серверу."),
        ("uk", "connect_host", "Помилка SMTP: не вдається під'єднатися до серверу SMTP."), // ba148d59
        ("uk", "connect_host", "Помилка SMTP: не вдається підєднатися до серверу SMTP."),  // e1a8b1ba
        ("uk", "smtp_connect_failed", "Помилка з'єднання з SMTP-сервером"),
        ("uk", "smtp_connect_failed", "Помилка з'єднання із SMTP-сервером"), // ba148d59
        ("uk", "smtp_connect_failed", "Помилка зєднання із SMTP-сервером"),  // e1a8b1ba
        ("uk", "data_not_accepted", "Помилка SMTP: дані не прийнято."),
        ("uk", "data_not_accepted", "Помилка SMTP: дані не прийняті."), // ba148d59
        ("uk", "from_failed", "Невірна адреса відправника: "),
        ("uk", "recipients_failed", "Помилка SMTP: не вдалося відправлення для таких отримувачів: "),
        ("uk", "recipients_failed", "Помилка SMTP: відправлення наступним отримувачам не вдалося: "), // ba148d59
        ("uk", "recipients_failed", "Помилка SMTP: відправти наступним отрмувачам не вдалася: "), // e1a8b1ba
        ("uk", "smtp_error", "Помилка SMTP-сервера: "),
        ("uk", "instantiate", "Неможливо запустити функцію mail()."),
        ("uk", "instantiate", "Неможливо запустити функцію mail."), // ba148d59
        ("ur", "authenticate", "SMTP خرابی: تصدیق کرنے سے قاصر۔"),
        ("ur", "connect_host", "SMTP خرابی: سرور سے منسلک ہونے سے قاصر۔"),
        ("ur", "smtp_connect_failed", "SMTP ملنا ناکام ہوا"),
        ("ur", "data_not_accepted", "SMTP خرابی: ڈیٹا قبول نہیں کیا گیا۔"),
        ("ur", "from_failed", "درج ذیل بھیجنے والے کا پتہ ناکام ہو گیا:"),
        ("ur", "recipients_failed", "SMTP خرابی: درج ذیل پتہ پر نہیں بھیجا جاسکا: "),
        ("ur", "smtp_error", "SMTP سرور کی خرابی: "),
        ("ur", "instantiate", "میل فنکشن کی مثال بنانے سے قاصر۔"),
        ("vi", "authenticate", "Lỗi SMTP: Không thể xác thực."),
        ("vi", "connect_host", "Lỗi SMTP: Không thể kết nối máy chủ SMTP."),
        ("vi", "smtp_connect_failed", "Lỗi kết nối với SMTP"),
        ("vi", "data_not_accepted", "Lỗi SMTP: Dữ liệu không được chấp nhận."),
        ("vi", "from_failed", "Lỗi địa chỉ gửi đi: "),
        ("vi", "recipients_failed", "Lỗi SMTP: lỗi địa chỉ người nhận: "),
        ("vi", "smtp_error", "Lỗi máy chủ smtp "),
        ("vi", "instantiate", "Không dùng được các hàm gửi thư."),
        ("zh", "authenticate", "SMTP 錯誤：登入失敗。"),
        ("zh", "authenticate", "SMTP 錯誤：登錄失敗。"), // 379b700e
        ("zh", "connect_host", "SMTP 錯誤：無法連線到 SMTP 主機。"),
        ("zh", "connect_host", "SMTP 錯誤：無法連接到 SMTP 主機。"), // 379b700e
        ("zh", "smtp_connect_failed", "SMTP 連線失敗"),
        ("zh", "smtp_connect_failed", "SMTP連線失敗"), // 1d4e2899
        ("zh", "data_not_accepted", "SMTP 錯誤：無法接受的資料。"),
        ("zh", "data_not_accepted", "SMTP 錯誤：數據不被接受。"), // 379b700e
        ("zh", "from_failed", "發送地址錯誤："),
        ("zh", "recipients_failed", "SMTP 錯誤：以下收件人地址錯誤："),
        ("zh", "recipients_failed", "SMTP 錯誤：收件人地址錯誤："), // 1d4e2899
        ("zh", "smtp_error", "SMTP 伺服器錯誤: "),
        ("zh", "smtp_error", "SMTP伺服器錯誤: "), // 1d4e2899
        ("zh", "instantiate", "未知函數呼叫。"),
        ("zh", "instantiate", "未知函數調用。"), // 379b700e
        ("zh_cn", "authenticate", "SMTP 错误：登录失败。"),
        ("zh_cn", "connect_host", "SMTP 错误：无法连接到 SMTP 主机。"),
        ("zh_cn", "smtp_connect_failed", "SMTP服务器连接失败。"),
        ("zh_cn", "data_not_accepted", "SMTP 错误：数据不被接受。"),
        ("zh_cn", "from_failed", "发送地址错误："),
        ("zh_cn", "recipients_failed", "SMTP 错误：收件人地址错误："),
        ("zh_cn", "smtp_error", "SMTP服务器出错："),
        ("zh_cn", "smtp_error", "SMTP服务器出错: "), // 9e548ffa
        ("zh_cn", "instantiate", "未知函数调用。"),
        ("am", "authenticate", "SMTP -ի սխալ: չհաջողվեց ստուգել իսկությունը."), // 2e727253
        ("am", "connect_host", "SMTP -ի սխալ: չհաջողվեց կապ հաստատել SMTP սերվերի հետ."), // 2e727253
        ("am", "smtp_connect_failed", "SMTP -ի connect() ֆունկցիան չի հաջողվել"), // 2e727253
        ("am", "data_not_accepted", "SMTP -ի սխալ: տվյալները ընդունված չեն."),  // 2e727253
        ("am", "from_failed", "Ուղարկողի հետևյալ հասցեն սխալ է: "),             // 2e727253
        ("am", "recipients_failed", "SMTP -ի սխալ: չի հաջողվել ուղարկել հետևյալ ստացողների հասցեներին: "), // 2e727253
        ("am", "smtp_error", "SMTP սերվերի սխալ: "), // 2e727253
        ("am", "instantiate", "Հնարավոր չէ կանչել mail ֆունկցիան."), // 2e727253
        ("br", "authenticate", "Erro de SMTP: Não foi possível autenticar."), // 0d0a6268
        ("br", "connect_host", "Erro de SMTP: Não foi possível conectar com o servidor SMTP."), // 0d0a6268
        ("br", "smtp_connect_failed", "SMTP Connect() falhou."), // 0d0a6268
        ("br", "data_not_accepted", "Erro de SMTP: Dados rejeitados."), // 0d0a6268
        ("br", "data_not_accepted", "Erro de SMTP: Dados não aceitos."), // 9f9cea9f
        ("br", "from_failed", "Os endereços dos remententes a seguir falharam: "), // 0d0a6268
        ("br", "from_failed", "Os endereços de rementente a seguir falharam: "), // 9f9cea9f
        ("br", "recipients_failed", "Erro de SMTP: Os endereços de destinatário a seguir falharam: "), // 0d0a6268
        ("br", "smtp_error", "Erro de servidor SMTP: "), // 0d0a6268
        ("br", "instantiate", "Não foi possível iniciar uma instância da função mail."), // 0d0a6268
        ("br", "instantiate", "Não foi possível instanciar a função mail."), // 9f9cea9f
        ("ch", "authenticate", "SMTP 错误：身份验证失败。"), // f06453cb
        ("ch", "connect_host", "SMTP 错误: 不能连接SMTP主机。"), // f06453cb
        ("ch", "data_not_accepted", "SMTP 错误: 数据不可接受。"), // f06453cb
        ("ch", "from_failed", "下面的发送地址邮件发送失败了： "), // f06453cb
        ("ch", "recipients_failed", "SMTP 错误： 下面的 收件人失败了： "), // f06453cb
        ("ch", "instantiate", "不能实现mail方法。"),     // f06453cb
        ("cz", "authenticate", "Chyba SMTP: Autentizace selhala."), // 0d0a6268
        ("cz", "authenticate", "SMTP Error: Chyba autentikace."), // d992ae6d
        ("cz", "connect_host", "Chyba SMTP: Nelze navázat spojení se SMTP serverem."), // 0d0a6268
        ("cz", "connect_host", "SMTP Error: Nelze navázat spojení se SMTP serverem."), // d992ae6d
        ("cz", "smtp_connect_failed", "SMTP Connect() selhal."), // 0d0a6268
        ("cz", "data_not_accepted", "Chyba SMTP: Data nebyla přijata."), // 0d0a6268
        ("cz", "data_not_accepted", "SMTP Error: Data nebyla pøijata"), // d992ae6d
        ("cz", "from_failed", "Následující adresa odesílatele je nesprávná: "), // 0d0a6268
        ("cz", "from_failed", "Následující adresa From je nesprávná: "), // d992ae6d
        ("cz", "recipients_failed", "Chyba SMTP: Následující adresy příjemců nejsou správně: "), // 0d0a6268
        ("cz", "recipients_failed", "SMTP Error: Adresy pøíjemcù nejsou správné "), // d992ae6d
        ("cz", "smtp_error", "Chyba SMTP serveru: "),    // 0d0a6268
        ("cz", "instantiate", "Nelze vytvořit instanci emailové funkce."), // 0d0a6268
        ("cz", "instantiate", "Nelze vytvoøit instanci emailové funkce."), // d992ae6d
        ("dk", "authenticate", "SMTP fejl: Kunne ikke logge på."), // f2d4156b
        ("dk", "connect_host", "SMTP fejl: Kunne ikke tilslutte SMTP serveren."), // f2d4156b
        ("dk", "data_not_accepted", "SMTP fejl: Data kunne ikke accepteres."), // f2d4156b
        ("dk", "from_failed", "Følgende afsenderadresse er forkert: "), // f2d4156b
        ("dk", "recipients_failed", "SMTP fejl: Følgende modtagere er forkerte: "), // f2d4156b
        ("dk", "recipients_failed", "SMTP fejl: Følgendemodtagere er forkerte: "), // 71d07b47
        ("dk", "instantiate", "Kunne ikke initialisere email funktionen."), // f2d4156b
        ("mgl", "authenticate", "Алдаа SMTP: Холбогдож чадсангүй."), // c3a51b1e
        ("mgl", "connect_host", "Алдаа SMTP: SMTP- сервертэй холбогдож болохгүй байна."), // c3a51b1e
        ("mgl", "smtp_connect_failed", "SMTP сервертэй холбогдоход алдаа гарлаа"), // c3a51b1e
        ("mgl", "data_not_accepted", "Алдаа SMTP: зөвшөөрөгдсөнгүй."), // c3a51b1e
        ("mgl", "from_failed", "Илгээгчийн хаяг буруу байна: "), // c3a51b1e
        ("mgl", "recipients_failed", "Алдаа SMTP: ийм хаягийг илгээж чадсангүй: "), // c3a51b1e
        ("mgl", "smtp_error", "SMTP серверийн алдаа: "), // c3a51b1e
        ("mgl", "instantiate", "Mail () функцийг ажиллуулах боломжгүй байна."), // c3a51b1e
        ("no", "authenticate", "SMTP Feil: Kunne ikke autentisere."), // 0d0a6268
        ("no", "authenticate", "SMTP Feil: Kunne ikke authentisere."), // a303621e
        ("no", "connect_host", "SMTP Feil: Kunne ikke koble til SMTP tjener."), // 0d0a6268
        ("no", "connect_host", "SMTP Feil: Kunne ikke koble til SMTP host."), // a303621e
        ("no", "smtp_connect_failed", "SMTP Connect() feilet."), // 0d0a6268
        ("no", "data_not_accepted", "SMTP Feil: Data ble ikke akseptert."), // 0d0a6268
        ("no", "from_failed", "Følgende avsenderadresse feilet: "), // 0d0a6268
        ("no", "from_failed", "Følgende Fra feilet: "),  // 37130df9
        ("no", "recipients_failed", "SMTP Feil: Følgende mottagere feilet: "), // 0d0a6268
        ("no", "recipients_failed", "SMTP Feil: Følgendemottagere feilet: "), // 71d07b47
        ("no", "smtp_error", "SMTP-serverfeil: "),       // 0d0a6268
        ("no", "instantiate", "Kunne ikke initialisere mailfunksjonen."), // 0d0a6268
        ("no", "instantiate", "Kunne ikke instantiate mail funksjonen."), // 37130df9
        ("rs", "authenticate", "SMTP грешка: аутентификација није успела."), // cd15e050
        ("rs", "connect_host", "SMTP грешка: није могуће повезивање са SMTP сервером."), // cd15e050
        ("rs", "smtp_connect_failed", "Повезивање са SMTP сервером није успело."), // cd15e050
        ("rs", "data_not_accepted", "SMTP грешка: подаци нису прихваћени."), // cd15e050
        ("rs", "from_failed", "SMTP грешка: слање са следећих адреса није успело: "), // cd15e050
        ("rs", "recipients_failed", "SMTP грешка: слање на следеће адресе није успело: "), // cd15e050
        ("rs", "smtp_error", "Грешка SMTP сервера: "),   // cd15e050
        ("rs", "instantiate", "Није могуће покренути mail функцију."), // cd15e050
        ("se", "authenticate", "SMTP fel: Kunde inte autentisera."), // 0d0a6268
        ("se", "connect_host", "SMTP fel: Kunde inte ansluta till SMTP-server."), // 0d0a6268
        ("se", "data_not_accepted", "SMTP fel: Data accepterades inte."), // 0d0a6268
        ("se", "from_failed", "Följande avsändaradress är felaktig: "), // 0d0a6268
        ("se", "recipients_failed", "SMTP fel: Följande mottagare är felaktig: "), // 0d0a6268
        ("se", "instantiate", "Kunde inte initiera e-postfunktion."), // 0d0a6268
        ("sr_lat", "authenticate", "SMTP greška: autentifikacija nije uspela."), // c626b9e1
        ("sr_lat", "connect_host", "SMTP greška: povezivanje sa SMTP serverom nije uspelo."), // c626b9e1
        ("sr_lat", "smtp_connect_failed", "Povezivanje sa SMTP serverom nije uspelo."), // c626b9e1
        ("sr_lat", "data_not_accepted", "SMTP greška: podaci nisu prihvaćeni."), // c626b9e1
        ("sr_lat", "from_failed", "SMTP greška: slanje sa sledećih adresa nije uspelo: "), // c626b9e1
        ("sr_lat", "recipients_failed", "SMTP greška: slanje na sledeće adrese nije uspelo: "), // c626b9e1
        ("sr_lat", "smtp_error", "Greška SMTP servera: "), // c626b9e1
        ("sr_lat", "instantiate", "Nije moguće pokrenuti mail funkciju."), // c626b9e1
        ("ua", "authenticate", "Помилка SMTP: помилка авторизації."), // 9aa8dd3b
        ("ua", "connect_host", "Помилка SMTP: не вдається під'єднатися до SMTP-серверу."), // 9aa8dd3b
        ("ua", "smtp_connect_failed", "Помилка з'єднання з SMTP-сервером"), // 9aa8dd3b
        ("ua", "data_not_accepted", "Помилка SMTP: дані не прийнято."), // 9aa8dd3b
        ("ua", "from_failed", "Невірна адреса відправника: "), // 9aa8dd3b
        ("ua", "recipients_failed", "Помилка SMTP: не вдалося відправлення для таких отримувачів: "), // 9aa8dd3b
        ("ua", "smtp_error", "Помилка SMTP-сервера: "), // 9aa8dd3b
        ("ua", "instantiate", "Неможливо запустити функцію mail()."), // 9aa8dd3b
    ],
};
