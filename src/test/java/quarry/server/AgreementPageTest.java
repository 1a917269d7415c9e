package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.ProjectSettings;
import quarry.project.Workspace;
import quarry.store.Records.Label;

/**
 * The review page in headless Chromium, as a reviewer: the agreement figures, and settling a
 * disagreement from the keyboard (a number takes an annotator's label, then a reason and Enter).
 */
@Tag("integration")
@Tag("browser")
class AgreementPageTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static Javalin app;
    static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        Chromium.check();
        workspace = Workspace.open(dir.resolve("ws"), false);
        ProjectSettings overlap = Json.MAPPER.convertValue(Map.of("overlapShare", 1.0, "retrainEvery", 1000,
                "retrainSeconds", 3600), ProjectSettings.class);
        List<Label> labels = new ArrayList<>();
        for (String name : AgreementApiTest.LABELS) {
            labels.add(new Label(labels.size(), name, null));
        }
        ProjectSession p = workspace.createProject("agree", false, "all-minilm-l6-v2", labels, overlap);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            lines.add(Http.JSON.writeValueAsString(Map.of("id", "d" + i, "text", "customer message " + i)));
        }
        Files.write(dir.resolve("docs.jsonl"), lines);
        workspace.importDocuments(p, dir.resolve("docs.jsonl"));
        for (int i = 0; i < 12; i++) {
            p.annotate("alice", "d" + i, List.of(AgreementApiTest.LABELS.get(i % 3)), null);
            p.annotate("bob", "d" + i, List.of(AgreementApiTest.LABELS.get(AgreementApiTest.bobs(i))), null);
        }
        app = Server.create(workspace, 1 << 20).start(0);
        driver = Chromium.start(dir);
    }

    @AfterAll
    static void stop() {
        Chromium.stop(driver, app, workspace);
    }

    @Test
    void aReviewerSettlesADisagreementFromTheKeyboard() {
        String token = workspace.createToken("rita", "reviewer", "agree");
        Chromium.openReview(driver, app.port(), token);
        Chromium.waitFor(driver, "three disagreements", () -> driver.findElements(By.cssSelector(".disagreement")).size()
                == 3);
        Chromium.waitFor(driver, "the agreement figures", () -> !driver.findElement(By.id("alpha"))
                .getAttribute("data-alpha").isEmpty());
        Chromium.shot(driver, "agreement");
        double alpha = Double.parseDouble(driver.findElement(By.id("alpha")).getAttribute("data-alpha"));
        assertEquals(workspace.project("agree").agreement("rita", true).alpha(), alpha, 1e-9);
        assertTrue(driver.findElement(By.id("agreement-pairs")).getText().contains("alice"), "the pairwise κ table");
        assertTrue(driver.findElement(By.id("agreement-annotators")).getText().contains("bob"));

        // j moves to the second document; 2 takes the second annotator's label; a reason, then Enter.
        WebElement second = driver.findElements(By.cssSelector(".disagreement")).get(1);
        String doc = second.getAttribute("data-document");
        String label = second.findElements(By.cssSelector("li[data-label]")).get(1).getAttribute("data-label");
        new Actions(driver).sendKeys("j").sendKeys("2").perform();
        Chromium.waitFor(driver, "the reason field", () -> driver.switchTo().activeElement().getAttribute("class")
                .contains("disagreement-reason"));
        driver.switchTo().activeElement().sendKeys("bob read the <b>text</b> right", Keys.ENTER);
        Chromium.waitFor(driver, "the document to leave", () -> driver.findElements(By.cssSelector(".disagreement"))
                .size() == 2);
        ProjectSession p = workspace.project("agree");
        assertEquals(List.of(label), p.labels().labels(p.document(doc).row()));
        var last = workspace.store().annotations().list(p.project().id(), 0, 1000).stream()
                .filter(a -> a.documentId().equals(doc)).reduce((a, b) -> b).orElseThrow();
        assertEquals("rita", last.annotator());
        assertEquals("review", last.kind());
        assertEquals("bob read the <b>text</b> right", last.reason(), "kept as typed, shown as text");
    }
}
