package quarry.server;

import quarry.project.Workspace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import quarry.core.Document;
import quarry.store.Records.Annotation;

/**
 * The labeling page in real headless Chromium (Debian's chromium and chromium-driver, which
 * .ci/run installs): sign in, label with the keyboard alone, undo, search, watch the chart move
 * after retrains, show hostile documents as text, and use the admin view. Screenshots go to
 * target/screenshots/ and the key press → next document timings to target/page-timings.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
@Tag("browser")
class PageBrowserTest {

    static final Path SHOTS = Chromium.SHOTS;

    @TempDir
    static Path dir;
    static Workspace workspace;
    static Javalin app;
    static WebDriver driver;
    static String base;
    static String annotator;

    @BeforeAll
    static void start() throws Exception {
        Chromium.check();
        workspace = Workspace.open(dir.resolve("ws"), true);
        annotator = workspace.createToken("page-annotator", "annotator", Workspace.DEMO);
        app = Server.create(workspace, 1 << 26).start(0);
        base = "http://localhost:" + app.port();
        Http.await("the demo project's first model", 120,
                () -> workspace.project(Workspace.DEMO).modelStatus().version() >= 1);
        driver = Chromium.start(dir);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        Chromium.stop(driver, app, workspace);
    }

    static void waitFor(String what, Supplier<Boolean> check) {
        Chromium.waitFor(driver, what, check);
    }

    static void shot(String name) {
        Chromium.shot(driver, name);
    }

    static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    static String docId() {
        return driver.findElement(By.id("doc-meta")).getText();
    }

    static void press(CharSequence key) {
        new Actions(driver).sendKeys(key).perform();
    }

    /** Presses a key and waits for the next document to replace the current one. */
    static void pressAndWaitForNext(CharSequence key) {
        String before = docId();
        press(key);
        waitFor("the next document after " + key, () -> !docId().equals(before) && !docId().isEmpty());
    }

    static List<Annotation> mine() {
        long id = workspace.project(Workspace.DEMO).project().id();
        return workspace.store().annotations().list(id, 0, 100_000).stream()
                .filter(a -> a.annotator().equals("page-annotator")).toList();
    }

    static int chartPoints() {
        return Integer.parseInt(driver.findElement(By.cssSelector("svg.chart")).getAttribute("data-points"));
    }

    @Test
    @Order(1)
    void signInAndPickAProject() {
        driver.get(base + "/");
        waitFor("the sign-in form", () -> driver.findElement(By.id("token")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys("qk_not-a-token", Keys.ENTER);
        waitFor("a refusal", () -> driver.findElement(By.id("toast")).getText().contains("Sign-in failed"));
        WebElement token = driver.findElement(By.id("token"));
        token.clear();
        token.sendKeys(annotator, Keys.ENTER);
        waitFor("the project list", () -> driver.findElement(By.cssSelector("a[data-project='demo']")).isDisplayed());
        assertTrue(driver.findElement(By.id("who")).getText().contains("page-annotator"));
        shot("projects");
        driver.findElement(By.cssSelector("a[data-project='demo']")).click();
        waitFor("a document", () -> docId().startsWith("Document "));
        assertEquals(9, driver.findElements(By.cssSelector("#suggestions li")).size());
        assertTrue(driver.findElement(By.id("why")).getText().contains("Strategy"));
        shot("labeling");
    }

    @Test
    @Order(2)
    void labelTwentyWithTheKeyboardUndoOneAndSearch() {
        waitFor("the chart", () -> driver.findElements(By.cssSelector("svg.chart")).size() == 1);
        int pointsBefore = chartPoints();
        js("window.quarryTimings = []");
        for (int i = 0; i < 20; i++) {
            if (i % 3 == 1) {
                press("2"); // pick the model's second guess, then accept it
                waitFor("the second suggestion selected",
                        () -> driver.findElement(By.cssSelector("#suggestions li.selected kbd")).getText().equals("2"));
            }
            pressAndWaitForNext(Keys.ENTER);
        }
        assertEquals(20, mine().size(), "20 labels stored");

        String undoneDoc = mine().get(19).documentId();
        pressAndWaitForNext("u");
        assertEquals("Document " + undoneDoc, docId(), "undo brings the document back");
        assertEquals(19, mine().stream().filter(a -> !a.undone()).count());

        press("/");
        waitFor("the search box", () -> driver.switchTo().activeElement().getAttribute("id").equals("search"));
        driver.switchTo().activeElement().sendKeys("refund");
        waitFor("search results", () -> driver.findElement(By.cssSelector("#results div.selected")).getText()
                .startsWith("refund_request"));
        String searched = docId();
        driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        waitFor("the next document after a search", () -> !docId().equals(searched));
        Annotation last = mine().get(mine().size() - 1);
        assertEquals(List.of("refund_request"), last.labels());
        assertEquals("Document " + last.documentId(), searched);

        pressAndWaitForNext("s");
        assertTrue(mine().get(mine().size() - 1).skipped());

        // Retrains ran while labeling (every 10 labels); the curve gains their estimates.
        waitFor("the learning curve to grow", () -> chartPoints() > pointsBefore);
        // The estimate to decide by, on the unlabeled pool, with its interval.
        waitFor("the pool estimate", () -> driver.findElements(By.id("pool-estimate")).size() == 1);
        String estimate = driver.findElement(By.id("pool-estimate")).getText();
        assertTrue(estimate.matches("About \\d+\\.\\d% of the unlabeled pool is predicted right \\(95% interval"
                + " \\d+\\.\\d% to \\d+\\.\\d%\\)"), estimate);
        shot("after-retrain");

        @SuppressWarnings("unchecked")
        List<Number> timings = (List<Number>) js("return window.quarryTimings");
        List<Double> ms = new ArrayList<>(timings.stream().map(Number::doubleValue).toList());
        assertTrue(ms.size() >= 20, "timings recorded: " + ms);
        ms.sort(Comparator.naturalOrder());
        String report = String.format(Locale.ROOT, "key press -> next document shown, %d presses: median %.1f ms,"
                + " p95 %.1f ms, max %.1f ms%n", ms.size(), ms.get(ms.size() / 2),
                ms.get((int) Math.ceil(0.95 * ms.size()) - 1), ms.get(ms.size() - 1));
        System.out.print(report);
        try {
            Files.writeString(Path.of("target", "page-timings.txt"), report);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(3)
    void hostileDocumentsAreShownAsPlainText() throws Exception {
        String payload = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> hello";
        var labels = List.of(new quarry.store.Records.Label(0, "<b>bold</b>", null),
                new quarry.store.Records.Label(1, "plain", null));
        quarry.project.ProjectSession p = workspace.createProject("xss", false, null, labels, null);
        workspace.addMember("xss", "page-annotator");
        workspace.store().documents().add(p.project().id(), List.of(Document.unlabeled("x1", payload),
                new Document("x2", "seed one", List.of("plain")), new Document("x3", "seed two", List.of("<b>bold</b>")))
                ::forEach, "import");
        p.labelsImported();
        p.embedPending();
        Http.await("the xss project's model", 120, () -> p.modelStatus().version() >= 1);
        driver.get(base + "/#/label/xss");
        waitFor("the hostile document", () -> docId().equals("Document x1"));
        assertEquals(payload, driver.findElement(By.id("doc")).getText());
        assertTrue(driver.findElements(By.cssSelector("#doc img, #doc script, #suggestions b")).isEmpty());
        assertTrue(driver.findElement(By.id("suggestions")).getText().contains("<b>bold</b>"));
        assertNull(js("return window.__xss === undefined ? null : window.__xss"), "a payload ran");
        // Names and ids from users are bidi-isolated, so an override character cannot re-order the page.
        assertEquals("x1", driver.findElement(By.cssSelector("#doc-meta bdi")).getText());
        assertTrue(driver.findElements(By.cssSelector("#suggestions li bdi")).stream()
                .anyMatch(b -> b.getText().equals("<b>bold</b>")), "labels are isolated");
        shot("xss-as-text");
    }

    @Test
    @Order(4)
    void multiLabelShowsCheckboxesPreCheckedByTheModel() throws Exception {
        var labels = List.of(new quarry.store.Records.Label(0, "billing", null),
                new quarry.store.Records.Label(1, "urgent", null), new quarry.store.Records.Label(2, "bug", null));
        quarry.project.ProjectSession p = workspace.createProject("multi", true, null, labels, null);
        workspace.addMember("multi", "page-annotator");
        List<Document> docs = new ArrayList<>();
        String[] texts = {"I was charged twice, fix it now!", "the app crashes when I open settings",
            "question about my invoice", "URGENT: card charged three times", "button does nothing on android",
            "when is my next bill due", "critical crash, cannot log in at all, please hurry", "refund the extra charge"};
        String[][] tags = {{"billing", "urgent"}, {"bug"}, {"billing"}, {"billing", "urgent"}, {"bug"}, {"billing"},
            {"bug", "urgent"}, {"billing"}};
        for (int i = 0; i < texts.length; i++) {
            docs.add(new Document("m" + i, texts[i], List.of(tags[i])));
        }
        docs.add(Document.unlabeled("u1", "charged twice again and nobody answers, this is urgent"));
        docs.add(Document.unlabeled("u2", "the app froze after the update"));
        workspace.store().documents().add(p.project().id(), docs::forEach, "import");
        p.labelsImported();
        p.embedPending();
        Http.await("the multi-label model", 120, () -> p.modelStatus().version() >= 1);
        driver.get(base + "/#/label/multi");
        waitFor("a document", () -> docId().startsWith("Document u"));
        String shown = docId().substring("Document ".length());
        List<WebElement> boxes = driver.findElements(By.cssSelector("#suggestions li input[type=checkbox]"));
        assertEquals(3, boxes.size());
        // Pre-checked exactly where the model's probability reaches the label's threshold.
        java.util.Set<String> checked = new java.util.TreeSet<>();
        for (WebElement li : driver.findElements(By.cssSelector("#suggestions li"))) {
            if (li.findElement(By.cssSelector("input")).isSelected()) {
                checked.add(li.getAttribute("data-label"));
            }
        }
        int row = workspace.store().documents().find(p.project().id(), shown).orElseThrow().row();
        assertEquals(new java.util.TreeSet<>(p.item(row, null).predicted()), checked);
        press("1");
        String first = driver.findElement(By.cssSelector("#suggestions li")).getAttribute("data-label");
        java.util.Set<String> expected = new java.util.TreeSet<>(checked);
        if (!expected.remove(first)) {
            expected.add(first);
        }
        if (expected.isEmpty()) {
            press("2");
            expected.add(driver.findElements(By.cssSelector("#suggestions li")).get(1).getAttribute("data-label"));
        }
        pressAndWaitForNext(Keys.ENTER);
        List<Annotation> log = workspace.store().annotations().list(p.project().id(), 0, 100).stream()
                .filter(a -> a.annotator().equals("page-annotator")).toList();
        assertEquals(1, log.size());
        assertEquals(expected, new java.util.TreeSet<>(log.get(0).labels()));
        shot("multi-label");

        // N answers "none of these labels": stored as a label with no labels, not as a skip.
        assertTrue(driver.findElement(By.cssSelector(".keys")).getText().contains("none of these"));
        String second = docId().substring("Document ".length());
        press("n");
        waitFor("the none-of-these answer", () -> workspace.store().annotations().list(p.project().id(), 0, 100)
                .stream().filter(a -> a.annotator().equals("page-annotator")).count() == 2);
        Annotation none = workspace.store().annotations().list(p.project().id(), 0, 100).stream()
                .filter(a -> a.annotator().equals("page-annotator")).toList().get(1);
        assertEquals(second, none.documentId());
        assertEquals(List.of(), none.labels());
        assertFalse(none.skipped());
        assertTrue(p.labels().isLabeled(none.row()));
    }

    @Test
    @Order(5)
    void adminImportsFollowsAJobAndExports() throws Exception {
        driver.get(base + "/");
        js("sessionStorage.clear()");
        driver.navigate().refresh();
        waitFor("the sign-in form", () -> driver.findElement(By.id("token")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys(workspace.firstAdminToken(), Keys.ENTER);
        waitFor("the project form", () -> driver.findElement(By.id("new-name")).isDisplayed());
        driver.findElement(By.id("new-name")).sendKeys("page-made");
        driver.findElement(By.id("new-labels")).sendKeys("spam: unwanted mail\nham");
        driver.findElement(By.id("create")).click();
        waitFor("the admin view", () -> driver.findElement(By.id("import-file")).isDisplayed());

        Path file = dir.resolve("upload.jsonl");
        Files.writeString(file, "{\"id\":\"m1\",\"text\":\"win a free prize now\",\"label\":\"spam\"}\n"
                + "{\"id\":\"m2\",\"text\":\"lunch at noon?\",\"label\":\"ham\"}\n"
                + "{\"id\":\"m3\",\"text\":\"cheap pills online\"}\n");
        driver.findElement(By.id("import-file")).sendKeys(file.toAbsolutePath().toString());
        driver.findElement(By.id("import")).click();
        waitFor("the import", () -> driver.findElement(By.id("import-status")).getText().contains("3 documents"));
        Http.await("a model", 120, () -> workspace.project("page-made").modelStatus().version() >= 1);

        Path jobs = dir.resolve("predict.jsonl");
        Files.writeString(jobs, "{\"id\":\"q1\",\"text\":\"free money\"}\n{\"id\":\"q2\",\"text\":\"see you at lunch\"}\n");
        driver.findElement(By.id("predict-file")).sendKeys(jobs.toAbsolutePath().toString());
        driver.findElement(By.id("predict")).click();
        waitFor("the job to finish", () -> driver.findElement(By.id("job-status")).getText().contains("done, 2 of 2"));
        assertTrue(driver.findElement(By.id("export-labels")).isDisplayed());
        shot("admin");

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\":\"m9\",\"text\":\"\"}\n");
        driver.findElement(By.id("import-file")).sendKeys(bad.toAbsolutePath().toString());
        driver.findElement(By.id("import")).click();
        waitFor("the import error", () -> driver.findElement(By.id("import-status")).getText().contains("line 1"));
    }
}
