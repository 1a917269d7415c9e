package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import quarry.project.Workspace;
import quarry.store.Records.Annotation;

/**
 * The labeling page measures the time on each item and sends it with the label, leaving out the
 * time the tab was hidden; the cost card says where each figure comes from, or why there is none.
 */
@Tag("integration")
@Tag("browser")
class CostPageTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static Javalin app;
    static WebDriver driver;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        Chromium.check();
        workspace = Workspace.open(dir.resolve("ws"), true);
        token = workspace.createToken("timer", "annotator", Workspace.DEMO);
        app = Server.create(workspace, 1 << 26).start(0);
        driver = Chromium.start(dir);
    }

    @AfterAll
    static void stop() {
        Chromium.stop(driver, app, workspace);
    }

    private static String docId() {
        return driver.findElement(By.id("doc-meta")).getText();
    }

    private static List<Annotation> mine() {
        long id = workspace.project(Workspace.DEMO).project().id();
        return workspace.store().annotations().list(id, 0, 100_000).stream()
                .filter(a -> a.annotator().equals("timer")).toList();
    }

    /** Accepts the model's guess and returns the seconds from then until the stored annotation is there. */
    private static void acceptAndWait(int stored) {
        String before = docId();
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        Chromium.waitFor(driver, "the next document", () -> !docId().equals(before) && mine().size() == stored);
    }

    private static void hidden(boolean hidden) {
        // Headless Chromium has no tab to switch away from: the page sees what a hidden tab shows it.
        ((JavascriptExecutor) driver).executeScript("Object.defineProperty(document, 'hidden', {configurable: true,"
                + " get: () => " + hidden + "}); document.dispatchEvent(new Event('visibilitychange'));");
    }

    @Test
    void eachLabelCarriesItsTimeOnItemWithoutTheTimeTheTabWasHidden() throws Exception {
        driver.get("http://localhost:" + app.port() + "/");
        Chromium.waitFor(driver, "the sign-in form", () -> driver.findElement(By.id("token")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys(token, Keys.ENTER);
        Chromium.waitFor(driver, "the labeling view", () -> {
            if (!driver.getCurrentUrl().contains("#/label/")) {
                driver.findElement(By.cssSelector("a[data-project='demo']")).click();
            }
            return driver.getCurrentUrl().contains("#/label/");
        });
        Chromium.waitFor(driver, "a document", () -> docId().startsWith("Document "), 300);

        long shown = System.nanoTime();
        Thread.sleep(1500);
        acceptAndWait(1);
        double wall = (System.nanoTime() - shown) / 1e9;
        double first = mine().get(0).secondsOnItem();
        assertTrue(first >= 1.4 && first <= wall + 1, "1.5 s on the item, " + wall + " s in all: " + first);

        shown = System.nanoTime();
        Thread.sleep(1000);
        hidden(true);
        Thread.sleep(3000);
        hidden(false);
        Thread.sleep(300);
        acceptAndWait(2);
        wall = (System.nanoTime() - shown) / 1e9;
        double second = mine().get(1).secondsOnItem();
        assertTrue(second >= 1.2 && second <= wall - 2.5, "3 of the " + wall + " s were hidden: " + second);

        String perLabel = driver.findElement(By.id("cost-per-label")).getText();
        assertTrue(perLabel.contains("no hourly rate or cost per label"), perLabel);
        Chromium.shot(driver, "cost");
        assertEquals(2, mine().stream().filter(a -> a.secondsOnItem() != null).count());
    }
}
