package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import quarry.project.MachineLabelsFixture;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;

/**
 * The admin view's machine-label section in headless Chromium, by keyboard: the count it would
 * accept, accepting (A, then Enter), the audit served blind on the labeling page (Enter alone takes
 * nothing), the measured precision, and revoking a batch.
 */
@Tag("integration")
@Tag("browser")
@Tag("data")
class MachineLabelsPageTest {

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

    static void waitFor(String what, Supplier<Boolean> check) {
        Chromium.waitFor(driver, what, check);
    }

    static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    static void press(CharSequence key) {
        new Actions(driver).sendKeys(key).perform();
    }

    @Test
    void acceptAuditBlindAndRevokeByKeyboard() {
        driver.get("http://localhost:" + app.port() + "/");
        waitFor("the sign-in form", () -> driver.findElement(By.id("token")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys(workspace.firstAdminToken(), Keys.ENTER);
        waitFor("the project list", () -> driver.findElement(By.id("projects")).isDisplayed());
        driver.get("http://localhost:" + app.port() + "/#/admin/auto");

        int would = project.machineLabels().wouldAccept();
        waitFor("the accept button with its count", () -> driver.findElement(By.id("machine-accept")).isEnabled());
        assertEquals("Accept " + would + " machine labels", text("machine-accept"));
        assertTrue(text("machine-note").startsWith("Accepting labels " + would + " unlabeled documents"),
                text("machine-note"));
        Chromium.shot(driver, "machine-labels-before");

        // A opens the question, Enter (on the focused Accept) confirms.
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("document.activeElement.blur()");
        press("a");
        waitFor("the confirmation", () -> driver.findElement(By.id("machine-confirm")).isDisplayed());
        assertEquals("machine-confirm-yes", driver.switchTo().activeElement().getAttribute("id"));
        press(Keys.ENTER);
        waitFor("the batch", () -> text("machine-standing").equals(would + " machine labels stand"));
        Views.MachineBatch batch = project.machineLabels().batches().get(0);
        assertEquals(would, batch.accepted());
        int sample = batch.audit().sample();
        assertEquals("0 of " + sample + " audited, " + sample + " waiting in the queue", text("machine-precision"));
        assertEquals(1, driver.findElements(By.cssSelector("#machine-batches tr[data-batch]")).size());
        assertTrue(!driver.findElement(By.id("machine-accept")).isEnabled(), "nothing left to accept");

        // The labeling page serves the audit first, without the model's guesses; Enter alone takes nothing.
        driver.get("http://localhost:" + app.port() + "/#/label/auto");
        waitFor("the audit item", () -> driver.findElements(By.id("audit-badge")).size() == 1);
        assertTrue(driver.findElements(By.cssSelector("#suggestions li.selected")).isEmpty(), "nothing pre-selected");
        String audited = text("doc-meta");
        press(Keys.ENTER);
        waitFor("the refusal", () -> text("toast").contains("pick the label yourself"));
        assertEquals(audited, text("doc-meta"), "Enter alone stored nothing");
        String docId = audited.substring("Document ".length(), audited.indexOf(" ·"));
        int row = workspace.store().documents().find(project.project().id(), docId).orElseThrow().row();
        String machineSaid = project.machineLabel(row).orElseThrow().labels().get(0);
        List<String> shown = driver.findElements(By.cssSelector("#suggestions li")).stream()
                .map(li -> li.getAttribute("data-label")).toList();
        int key = shown.indexOf(machineSaid);
        press(String.valueOf(key >= 0 ? key + 1 : 1));
        press(Keys.ENTER);
        waitFor("the next document", () -> !text("doc-meta").equals(audited));
        boolean agreed = key >= 0;
        Chromium.shot(driver, "machine-labels-audit");

        driver.get("http://localhost:" + app.port() + "/#/admin/auto");
        waitFor("the measured precision", () -> text("machine-precision").startsWith("Measured precision "
                + (agreed ? "100.0%" : "0.0%")));
        assertTrue(text("machine-precision").contains((agreed ? 1 : 0) + " of 1 agreed"), text("machine-precision"));

        // Revoke the batch: the question, then Enter.
        driver.findElement(By.cssSelector("#machine-batches tr[data-batch] button.revoke-batch")).click();
        waitFor("the confirmation", () -> driver.findElement(By.id("machine-confirm")).isDisplayed());
        press(Keys.ENTER);
        waitFor("no machine label left", () -> text("machine-standing").equals("0 machine labels stand"));
        assertEquals(0, project.machineLabels().standing());
        assertEquals("revoked", driver.findElement(By.cssSelector("#machine-batches tr[data-batch] td:last-child"))
                .getText());
        Chromium.shot(driver, "machine-labels-revoked");
    }
}
