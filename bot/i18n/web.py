"""The bot's texts about the admin web page (/web), in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    "web_link": {
        "en": {"one": "🔐 Your sign-in link to the admin page. It works once, within {count} minute:",
               "other": "🔐 Your sign-in link to the admin page. It works once, within {count} minutes:"},
        "ru": {"one": "🔐 Ваша ссылка для входа в админку. Она сработает один раз, в течение {count} минуты:",
               "few": "🔐 Ваша ссылка для входа в админку. Она сработает один раз, в течение {count} минут:",
               "many": "🔐 Ваша ссылка для входа в админку. Она сработает один раз, в течение {count} минут:",
               "other": "🔐 Ваша ссылка для входа в админку. Она сработает один раз, в течение {count} минуты:"},
        "de": {"one": "🔐 Dein Anmeldelink für die Admin-Seite. Er funktioniert einmal, innerhalb von {count} Minute:",
               "other": "🔐 Dein Anmeldelink für die Admin-Seite. Er funktioniert einmal, innerhalb von {count} "
               "Minuten:"},
    },
    "web_link_open": {"en": "Open the admin page", "ru": "Открыть админку", "de": "Admin-Seite öffnen"},
    "web_link_copy": {
        "en": "On a computer? Copy this address into its browser:",
        "ru": "На компьютере? Скопируйте этот адрес в браузер:",
        "de": "Am Computer? Kopiere diese Adresse in den Browser:",
    },
    "web_link_warning": {
        "en": "Don't forward it: whoever opens it is signed in as you. Need another? Send /web again.",
        "ru": "Не пересылайте её: кто её откроет, войдёт под вашим именем. Нужна новая — снова отправьте /web.",
        "de": "Leite ihn nicht weiter: Wer ihn öffnet, ist als du angemeldet. Brauchst du einen neuen? "
              "Sende /web noch einmal.",
    },
    "web_off": {
        "en": "The admin web page is switched off: the bot runs without its web server. Whoever runs the bot "
              "can switch it on with server.port (and server.public_url) in the config.",
        "ru": "Веб-админка выключена: бот работает без веб-сервера. Тот, кто запускает бота, может включить её "
              "параметрами server.port (и server.public_url) в конфигурации.",
        "de": "Die Admin-Webseite ist ausgeschaltet: Der Bot läuft ohne seinen Webserver. Wer den Bot betreibt, "
              "kann sie mit server.port (und server.public_url) in der Konfiguration einschalten.",
    },
}
