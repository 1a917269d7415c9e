package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.LinkedHashSet;
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
 * The admin view's fine-tune card in headless Chromium: start a one-epoch fine-tune, watch its
 * phases go by with a progress bar, and see the project on the tuned encoder when it ends.
 */
@Tag("integration")
@Tag("browser")
@Tag("data")
class FineTunePageTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static ProjectSession project;
    static Javalin app;
    static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        Chromium.check();
        workspace = Workspace.open(dir.resolve("ws"), false);
        project = MachineLabelsFixture.create(workspace, "auto", null, dir);
        app = Server.create(workspace, 1 << 20).start(0);
        driver = Chromium.start(dir);
    }

    @AfterAll
    static void stop() {
        Chromium.stop(driver, app, workspace);
    }

    private static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    @Test
    void startFollowAndLandAFineTune() {
        driver.get("http://localhost:" + app.port() + "/");
        Chromium.waitFor(driver, "the sign-in form", () -> driver.findElement(By.id("token")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys(workspace.firstAdminToken(), Keys.ENTER);
        Chromium.waitFor(driver, "the project list", () -> driver.findElement(By.id("projects")).isDisplayed());
        driver.get("http://localhost:" + app.port() + "/#/admin/auto");
        Chromium.waitFor(driver, "the fine-tune card", () -> driver.findElement(By.id("finetune-note"))
                .getText().startsWith("No fine-tune"));
        String before = project.encoder().id();
        assertEquals("Encoder: " + before, text("finetune-encoder"));

        WebElement epochs = driver.findElement(By.id("finetune-epochs"));
        epochs.clear();
        epochs.sendKeys("1");
        driver.findElement(By.id("finetune-start")).click();
        Set<String> states = new LinkedHashSet<>();
        Chromium.waitFor(driver, "the fine-tune to end", () -> {
            String state = driver.findElement(By.id("finetune-note")).getAttribute("data-state");
            states.add(state);
            if ("tuning".equals(state)) {
                assertTrue(driver.findElement(By.id("finetune-cancel")).isDisplayed(), "a running fine-tune can be cancelled");
                assertTrue(!driver.findElement(By.id("finetune-start")).isEnabled(), "one at a time");
            }
            return "done".equals(state) || "failed".equals(state);
        }, 300);
        Chromium.shot(driver, "finetune-done");
        assertEquals("done", driver.findElement(By.id("finetune-note")).getAttribute("data-state"), text("finetune-note"));
        assertTrue(states.stream().anyMatch(s -> s.equals("tuning") || s.equals("embedding") || s.equals("indexing")),
                "the phases showed on the way: " + states);
        assertTrue(text("finetune-note").contains("The project now uses auto-ft1"), text("finetune-note"));
        Chromium.waitFor(driver, "the new encoder", () -> text("finetune-encoder").equals("Encoder: auto-ft1"));
        assertEquals("auto-ft1", project.encoder().id());
        assertTrue(driver.findElement(By.id("finetune-start")).isEnabled());
    }
}
