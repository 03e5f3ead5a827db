"""User agents of real people reading mail: a default signature must never match one of these."""

MAIL_CLIENT_TOKENS = ("mail/", "microsoft office", "microsoft outlook", "ms-office", "outlook-ios", "macoutlook",
                      "airmail", "polymail")

MAIL_CLIENT_USER_AGENTS = (
    # Apple Mail (macOS) and Mail on iOS: WebKit without a browser token.
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mail/3774.500.171.1.1 CFNetwork/1410.0.3 Darwin/22.6.0",
    # Outlook desktop (Windows), Outlook for Mac, Outlook for iOS and Android, ms-office webviews.
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36"
    " Edg/118.0.2088.46 OneOutlook/1.2023.1018.100",
    "MacOutlook/16.77.0.230909 (Intel Mac OS X Version 14.0 (Build 23A344))",
    "Outlook-iOS/723.4027091.prod.iphone (4.2336.0)",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Version/4.0 Chrome/118.0.5993.80 Mobile Safari/537.36 Outlook-Android/4.2340.1",
    # Thunderbird.
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.3.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.2.0",
    # The Gmail app (Android WebView; iOS).
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Version/4.0 Chrome/118.0.5993.111 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
    " GSA/283.0.567817429 Mobile/15E148 Safari/604.1",
    # Airmail, Polymail, Windows Mail.
    "Airmail 5.5.7 (Macintosh; OS X 13.5)",
    "Polymail/2.9.12 (Macintosh; Intel Mac OS X 10_15_7)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102"
    " Safari/537.36 Edge/18.19045",
)
