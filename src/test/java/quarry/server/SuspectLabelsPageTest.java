package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import quarry.project.Workspace;

/** The review page in headless Chromium, as a reviewer: the flagged labels, and changing one with a reason. */
@Tag("integration")
@Tag("browser")
@Tag("data")
class SuspectLabelsPageTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static Javalin app;
    static WebDriver driver;
    static final Map<String, String> wrong = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Chromium.check();
        workspace = Workspace.open(dir.resolve("ws"), false);
        SuspectLabelsApiTest.create(workspace, "sus", dir, wrong);
        app = Server.create(workspace, 1 << 20).start(0);
        driver = Chromium.start(dir);
    }

    @AfterAll
    static void stop() {
        Chromium.stop(driver, app, workspace);
    }

    @Test
    void aReviewerChangesAFlaggedLabelWithAReason() {
        String token = workspace.createToken("rita", "reviewer", "sus");
        Chromium.openReview(driver, app.port(), token);
        Chromium.waitFor(driver, "the ranking", () -> "ready".equals(driver.findElement(By.id("suspects-note"))
                .getAttribute("data-state")) && !driver.findElements(By.cssSelector(".suspect")).isEmpty(), 300);
        Chromium.shot(driver, "suspects");
        List<WebElement> cards = driver.findElements(By.cssSelector(".suspect"));
        WebElement first = cards.get(0);
        String doc = first.getAttribute("data-document");
        assertTrue(wrong.containsKey(doc), "a wrong label comes first: " + doc);
        int before = cards.size();
        first.findElement(By.cssSelector(".suspect-reason")).sendKeys("<b>asked</b> for the other intent");
        first.findElement(By.cssSelector(".suspect-change")).click();
        Chromium.waitFor(driver, "the card to leave", () -> driver.findElements(By.cssSelector(".suspect")).size()
                == before - 1);
        var project = workspace.project("sus");
        int row = project.document(doc).row();
        assertTrue(!project.labels().labels(row).get(0).equals(wrong.get(doc)), "the label changed");
        var last = workspace.store().annotations().list(project.project().id(), 0, 1000).stream()
                .filter(a -> a.documentId().equals(doc)).reduce((a, b) -> b).orElseThrow();
        assertEquals("rita", last.annotator());
        assertEquals("<b>asked</b> for the other intent", last.reason(), "kept as typed, shown as text");
    }
}
