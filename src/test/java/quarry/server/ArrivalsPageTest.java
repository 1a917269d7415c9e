package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import quarry.project.MachineLabelsFixture;
import quarry.project.ProjectSession;
import quarry.project.Workspace;

/**
 * The admin view's arrivals card in headless Chromium: a batch of a new intent arrives, and the
 * page shows its drift report in words (a dense group without a labeled neighbour, with an
 * example) and the upkeep queue, whose picks go first in the labeling queue at a click.
 */
@Tag("integration")
@Tag("browser")
@Tag("data")
class ArrivalsPageTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static ProjectSession project;
    static Javalin app;
    static WebDriver driver;
    static final Set<String> ids = new HashSet<>();

    @BeforeAll
    static void start() throws Exception {
        Chromium.check();
        workspace = Workspace.open(dir.resolve("ws"), false);
        List<String> arriving = new ArrayList<>();
        project = ArrivalsApiTest.create(workspace, "page", dir, arriving, ids);
        Path file = dir.resolve("arrivals.ndjson");
        Files.write(file, arriving);
        workspace.importArrivals(project, file);
        MachineLabelsFixture.await("the drift report", () -> project.arrivals().size() == 1
                && project.arrivals().get(0).report() != null);
        app = Server.create(workspace, 1 << 20).start(0);
        driver = Chromium.start(dir);
    }

    @AfterAll
    static void stop() {
        Chromium.stop(driver, app, workspace);
    }

    @Test
    void theBatchReportAndTheUpkeepQueueShow() throws Exception {
        driver.get("http://localhost:" + app.port() + "/");
        Chromium.waitFor(driver, "the sign-in form", () -> driver.findElement(By.id("token")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys(workspace.firstAdminToken(), Keys.ENTER);
        Chromium.waitFor(driver, "the project list", () -> driver.findElement(By.id("projects")).isDisplayed());
        driver.get("http://localhost:" + app.port() + "/#/admin/page");
        Chromium.waitFor(driver, "the batch report", () -> !driver.findElements(By.cssSelector(
                "#arrivals li.arrival[data-state=measured]")).isEmpty());
        WebElement batch = driver.findElement(By.cssSelector("#arrivals li.arrival"));
        assertEquals("true", batch.getAttribute("data-drifted"), batch.getText());
        assertTrue(batch.getText().contains("60 documents"), batch.getText());
        WebElement regions = batch.findElement(By.cssSelector("li.signal[data-signal=new-regions]"));
        assertEquals("true", regions.getAttribute("data-fired"), regions.getText());
        assertTrue(regions.getText().contains("has no labeled neighbour, e.g. \""), regions.getText());
        assertTrue(batch.findElements(By.cssSelector("li.region")).size() >= 1, batch.getText());
        Chromium.waitFor(driver, "the upkeep queue", () -> !driver.findElements(By.cssSelector("#upkeep li.upkeep-item"))
                .isEmpty());
        List<WebElement> items = driver.findElements(By.cssSelector("#upkeep li.upkeep-item"));
        assertEquals(10, items.size(), driver.findElement(By.id("upkeep")).getText());
        assertTrue(items.get(0).getText().contains("upkeep"), items.get(0).getText());
        Chromium.shot(driver, "arrivals");
        driver.findElement(By.id("upkeep-queue")).click();
        MachineLabelsFixture.await("the upkeep picks first in the queue", () -> {
            List<quarry.project.Views.QueueItem> next = project.next("admin", 1);
            boolean first = !next.isEmpty() && ids.contains(next.get(0).id());
            next.forEach(i -> project.release("admin", i.id()));
            return first;
        });
    }
}
