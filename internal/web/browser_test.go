package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"truce/internal/auth"
)

// The browser tests drive real headless Chromium through the DevTools
// protocol (chromedp) against the fixture's real server. They skip where
// no Chromium is installed; TRUCE_CHROMIUM names the binary to use.
// TRUCE_SCREENSHOTS=DIR saves a screenshot of each main page in DIR.

// chromiumPath finds the browser, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TRUCE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: none of chromium, chromium-browser, google-chrome is on PATH and TRUCE_CHROMIUM is not set; " +
		"install it (apt-get install -y chromium, as .ci/run does) to run the browser tests")
	return ""
}

var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
)

// browser returns a context for one new tab of a shared headless Chromium,
// and the problems the tab's pages reported: console errors, uncaught
// exceptions, and the browser's own error entries (failed loads, CSP
// violations).
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	path := chromiumPath(t)
	browserOnce.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // CI runs as root in a container
			chromedp.DisableGPU,
			chromedp.WindowSize(1280, 900),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		cleanups = append(cleanups, func() { cancelBrowser(); cancelAlloc() })
		browserErr = chromedp.Do(bctx) // starts the browser
		browserCtx = bctx
	})
	if browserErr != nil {
		t.Fatalf("start Chromium %s: %v", path, browserErr)
	}
	// Each test's tab has its own browser context: cookies (the session,
	// the language) are not shared between tests.
	tab, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil { // opens the tab
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; cancelTab() })
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// noProblems fails the test if the pages reported errors.
func noProblems(t *testing.T, problems func() []string) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let the last messages arrive
	for _, p := range problems() {
		t.Errorf("browser: %s", p)
	}
}

// screenshot saves the viewport as DIR/name.png when TRUCE_SCREENSHOTS=DIR.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TRUCE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs an action that returns a value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// do runs actions that return nothing, failing the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// signIn signs in with token through the sign-in form, which then opens
// next.
func signIn(base, next, token string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/signin?next="+next),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("token")),
	)
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[T](expr))
}

func TestBrowserDashboard(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx, chromedp.Navigate(fx.url+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	title := run(t, ctx, chromedp.Title())
	h1 := run(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	lang := js[string](t, ctx, `document.documentElement.lang`)
	sheets := js[int](t, ctx, `document.styleSheets.length`)
	svgs := js[int](t, ctx, `document.querySelectorAll('svg[role=img]').length`)
	if !strings.Contains(title, "Dashboard") || h1 != "The ceasefire at a glance" || lang != "en" {
		t.Errorf("title %q, h1 %q, lang %q", title, h1, lang)
	}
	if sheets < 1 || svgs < 2 {
		t.Errorf("%d stylesheets, %d charts", sheets, svgs)
	}
	screenshot(t, ctx, "dashboard")
	noProblems(t, problems)
}

func TestBrowserDailyReport(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	// Through the dashboard's form, as a reader would.
	do(t, ctx,
		chromedp.Navigate(fx.url+"/"),
		chromedp.WaitVisible(chromedp.ID("day")),
		chromedp.SetValue(chromedp.ID("day"), "2025-06-01"),
		chromedp.Submit(chromedp.ID("day")),
		chromedp.WaitVisible(chromedp.CSS(".report h1")),
	)
	url := run(t, ctx, chromedp.Location())
	h1 := run(t, ctx, chromedp.Text(chromedp.CSS(".report h1")))
	figures := js[[]string](t, ctx, `Array.from(document.querySelectorAll('.report .figure')).map(e => e.innerText.replace(/\s+/g, ' '))`)
	if !strings.HasSuffix(url, "/reports/daily/2025-06-01") || h1 != "Daily report, 2025-06-01" {
		t.Errorf("at %s, h1 %q", url, h1)
	}
	joined := strings.Join(figures, " | ")
	if !strings.Contains(joined, "472 drones launched") || !strings.Contains(joined, "7 missiles launched") {
		t.Errorf("figures %q: want 472 drones and 7 missiles", joined)
	}
	screenshot(t, ctx, "report")
	noProblems(t, problems)
}

func TestBrowserSignInAndIncident(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx,
		signIn(fx.url, "/incidents", fx.tokens[auth.Analyst]),
		chromedp.WaitVisible(chromedp.CSS("table tbody th a")),
	)
	account := run(t, ctx, chromedp.Text(chromedp.CSS(".account")))
	if !strings.Contains(account, "Signed in") {
		t.Errorf("account area %q", account)
	}
	if js[bool](t, ctx, `document.cookie.includes('truce_session')`) {
		t.Error("scripts can read the session cookie")
	}
	screenshot(t, ctx, "incidents")
	do(t, ctx,
		chromedp.Click(chromedp.CSS("table tbody th a")),
		chromedp.WaitVisible(chromedp.ID("obs-h")),
	)
	h1 := run(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	ledger := run(t, ctx, chromedp.Text(chromedp.CSS("#ledger-h + p")))
	rows := js[int](t, ctx, `document.querySelectorAll('#obs-h ~ div table tbody tr').length`)
	if h1 == "" || !strings.Contains(ledger, "checkpoint") || rows == 0 {
		t.Errorf("incident page: h1 %q, ledger %q, %d observation rows", h1, ledger, rows)
	}
	screenshot(t, ctx, "incident")
	do(t, ctx,
		chromedp.Click(chromedp.CSS(".signout button")),
		chromedp.WaitVisible(chromedp.CSS(`.account a[href="/signin"]`)),
	)
	noProblems(t, problems)
	// Signed out, the public does not see the unreleased incident (the
	// browser reports the page's 404, as it should).
	do(t, ctx, chromedp.Navigate(fx.url+"/incidents/"+fx.incident), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := run(t, ctx, chromedp.Text(chromedp.CSS("h1"))); h1 != "Error 404" {
		t.Errorf("after signing out the incident page shows %q, want Error 404 (not released)", h1)
	}
}

func TestBrowserLanguageSwitch(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx,
		chromedp.Navigate(fx.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`a[hreflang="uk"]`)),
		chromedp.Click(chromedp.CSS(`a[hreflang="uk"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"] h1`)),
	)
	lang := js[string](t, ctx, `document.documentElement.lang`)
	h1 := run(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	nav := run(t, ctx, chromedp.Text(chromedp.CSS(".main-nav")))
	// The choice is kept: the next page is Ukrainian too.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.main-nav a[href="/ledger"]`)), chromedp.WaitVisible(chromedp.ID("audit-h")))
	ledgerLang := js[string](t, ctx, `document.documentElement.lang`)
	audit := run(t, ctx, chromedp.Text(chromedp.ID("audit-h")))
	if lang != "uk" || h1 != "Перемир'я коротко" || !strings.Contains(nav, "Інциденти") || ledgerLang != "uk" || audit != "Як перевірити" {
		t.Errorf("lang %q, h1 %q, nav %q, then lang %q, %q", lang, h1, nav, ledgerLang, audit)
	}
	screenshot(t, ctx, "ledger-uk")
	noProblems(t, problems)
}

func TestBrowserKeyboard(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx, chromedp.Navigate(fx.url+"/ledger"), chromedp.WaitVisible(chromedp.CSS("h1")), chromedp.KeyEvent(kb.Tab))
	class := js[string](t, ctx, `document.activeElement.className`)
	text := js[string](t, ctx, `document.activeElement.textContent`)
	left := js[float64](t, ctx, `document.activeElement.getBoundingClientRect().left`)
	outline := js[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`)
	if class != "skip" || text != "Skip to content" || left < 0 || outline == "none" {
		t.Errorf("the first Tab focuses %q %q at left %v, outline %q: want the visible skip link", class, text, left, outline)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.Sleep(100*time.Millisecond))
	if id := js[string](t, ctx, `document.activeElement.id`); id != "main" {
		t.Errorf("after the skip link, focus is on %q, want main", id)
	}
	// Every link of the header is reachable by keyboard: Tab from the top
	// of the page walks through them.
	do(t, ctx, chromedp.Navigate(fx.url+"/ledger"), chromedp.WaitVisible(chromedp.CSS("h1")))
	var focused []string
	for range 12 {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		focused = append(focused, js[string](t, ctx, `document.activeElement.getAttribute('href') || document.activeElement.tagName`))
	}
	got := " " + strings.Join(focused, " ") + " "
	for _, href := range []string{"#main", "/", "/reports/daily/2025-06-01", "/incidents", "/ledger", "/signin", "/ledger?lang=uk"} {
		if !strings.Contains(got, " "+href+" ") {
			t.Errorf("Tab never reaches %s; it went%s", href, got)
		}
	}
	noProblems(t, problems)
}

// TestBrowserLiveNotice opens the listing as an analyst, then a monitor
// reports a new incident through the API: the page's status line says so
// without a reload, through the event stream.
func TestBrowserLiveNotice(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx,
		signIn(fx.url, "/incidents", fx.tokens[auth.Analyst]),
		chromedp.WaitVisible(chromedp.CSS("table tbody th a")),
		chromedp.Sleep(300*time.Millisecond), // the stream connects
	)
	if text := run(t, ctx, chromedp.Text(chromedp.ID("live"))); text != "" {
		t.Fatalf("a notice before anything happened: %q", text)
	}
	// A new incident far from the demo's: an explosion in Lviv.
	obs := map[string]any{"id": uuid.NewString(), "observed_at": "2025-06-01T10:00:00Z",
		"lat": 49.84, "lon": 24.03, "domain": "land", "kind": "explosion", "source": "patrol"}
	if err := call(context.Background(), "POST", fx.url+"/api/v1/observations", fx.tokens[auth.Monitor], obs, nil); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#live a")))
	text := run(t, ctx, chromedp.Text(chromedp.ID("live")))
	if !strings.Contains(text, "New incidents since this page was drawn: 1.") || !strings.Contains(text, "Reload the page") {
		t.Errorf("notice %q", text)
	}
	noProblems(t, problems)
}

// TestBrowserUkrainianReport opens the daily report of 1 June 2025 in
// Ukrainian, signed in as an analyst (so the incidents are in it): the
// report's own text, tables, captions and maps are Ukrainian, and its
// printable page is too.
func TestBrowserUkrainianReport(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx,
		signIn(fx.url, "/reports/daily/2025-06-01%3Flang%3Duk", fx.tokens[auth.Analyst]),
		chromedp.WaitVisible(chromedp.CSS(".report h1")),
	)
	lang := js[string](t, ctx, `document.documentElement.lang`)
	h1 := run(t, ctx, chromedp.Text(chromedp.CSS(".report h1")))
	figures := js[[]string](t, ctx, `Array.from(document.querySelectorAll('.report .figure')).map(e => e.innerText.replace(/\s+/g, ' '))`)
	captions := js[[]string](t, ctx, `Array.from(document.querySelectorAll('.report caption')).map(e => e.textContent)`)
	untitled := js[int](t, ctx, `Array.from(document.querySelectorAll('.report table')).filter(t => !t.caption).length`)
	maps := js[[]string](t, ctx, `Array.from(document.querySelectorAll('.report svg[role=img] desc')).map(e => e.textContent)`)
	account := run(t, ctx, chromedp.Text(chromedp.CSS(".account")))
	joined := strings.Join(figures, " | ")
	if lang != "uk" || h1 != "Щоденний звіт, 2025-06-01" {
		t.Errorf("lang %q, h1 %q", lang, h1)
	}
	if !strings.Contains(joined, "472 дронів запущено") || !strings.Contains(joined, "7 ракет запущено") {
		t.Errorf("figures %q: want 472 drones and 7 missiles in Ukrainian", joined)
	}
	if len(captions) < 5 || untitled != 0 || !slices.Contains(captions, "Загальнообласні повітряні тривоги за областями") {
		t.Errorf("captions %q, %d tables without one", captions, untitled)
	}
	if len(maps) < 3 || !strings.Contains(strings.Join(maps, " "), "На карті") {
		t.Errorf("the maps' and chart's text alternatives %q: want three, in Ukrainian", maps)
	}
	if !strings.Contains(account, "Аналітик, Mission") {
		t.Errorf("account area %q: want the role and organisation in Ukrainian", account)
	}
	screenshot(t, ctx, "report-uk")
	noProblems(t, problems)
	// The printable page, as the link offers it, is Ukrainian too.
	href := js[string](t, ctx, `document.querySelector('.report-nav a[href*="format=html"]').href`)
	do(t, ctx, chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS("h1")))
	if lang, h1 := js[string](t, ctx, `document.documentElement.lang`), run(t, ctx, chromedp.Text(chromedp.CSS("h1"))); lang != "uk" || h1 != "Щоденний звіт, 2025-06-01" {
		t.Errorf("printable page %s: lang %q, h1 %q", href, lang, h1)
	}
	noProblems(t, problems)
}

// TestBrowserPrint prints the daily report's page (print media emulated):
// the site's header, navigation, language links and footer are hidden, the
// report and its figures stay, and long tables repeat their header.
func TestBrowserPrint(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	printMedia := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})
	do(t, ctx, chromedp.Navigate(fx.url+"/reports/daily/2025-06-01"), chromedp.WaitVisible(chromedp.CSS(".report h1")), printMedia)
	hidden := js[[]string](t, ctx, `['header.site', 'footer.site', '.report-nav', '.skip'].filter(s => {
		const e = document.querySelector(s); return e && getComputedStyle(e).display !== 'none' })`)
	if len(hidden) != 0 {
		t.Errorf("printed, these still show: %q", hidden)
	}
	shown := js[bool](t, ctx, `getComputedStyle(document.querySelector('.report h1')).display !== 'none' &&
		document.querySelectorAll('.report svg[role=img]').length >= 2`)
	thead := js[string](t, ctx, `getComputedStyle(document.querySelector('.report thead')).display`)
	if !shown || thead != "table-header-group" {
		t.Errorf("printed: the report shows %v, thead display %q", shown, thead)
	}
	noProblems(t, problems)
}

// TestBrowserKeyboardFilters walks the incidents page by keyboard: past the
// skip link, Tab reaches every filter field, the apply button, the map's
// and the table's links to the released incident; Enter on the button
// applies the filters.
func TestBrowserKeyboardFilters(t *testing.T) {
	ctx, problems := browser(t) // skips first, without Chromium
	fx := shared(t)
	do(t, ctx, chromedp.Navigate(fx.url+"/incidents?lang=en"), chromedp.WaitVisible(chromedp.ID("f-from")),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter), chromedp.Sleep(100*time.Millisecond))
	var focused []string
	for range 40 {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		focused = append(focused, js[string](t, ctx, `(() => { const e = document.activeElement;
			return e.id || e.getAttribute('href') || e.tagName })()`))
	}
	got := " " + strings.Join(focused, " ") + " "
	for _, want := range []string{"f-from", "f-to", "f-domain", "f-kind", "f-status", "f-region", "f-bbox", "f-by", "BUTTON", "/incidents/" + fx.released} {
		if !strings.Contains(got, " "+want+" ") {
			t.Errorf("Tab never reaches %s; it went%s", want, got)
		}
	}
	reached := 0
	for _, f := range focused {
		if f == "/incidents/"+fx.released {
			reached++
		}
	}
	if reached < 2 {
		t.Errorf("the released incident is not reached both on the map and in the table:%s", got)
	}
	// Choose a domain and apply with the keyboard alone.
	do(t, ctx, chromedp.Focus(chromedp.ID("f-domain")), chromedp.KeyEvent(kb.ArrowDown),
		chromedp.Focus(chromedp.CSS(`form button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	// The form's GET loads a new page: wait for its address, not for an
	// element the old page has too.
	loc := run(t, ctx, chromedp.Location())
	for i := 0; i < 50 && !strings.Contains(loc, "domain="); i++ {
		time.Sleep(100 * time.Millisecond)
		loc = run(t, ctx, chromedp.Location())
	}
	if !strings.Contains(loc, "domain=") {
		t.Errorf("after Enter on the apply button, at %s: want the filters applied", loc)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-from")))
	noProblems(t, problems)
}
