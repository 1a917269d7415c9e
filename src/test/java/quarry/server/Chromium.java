package quarry.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Supplier;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium (chromium, chromium-driver; .ci/run installs them) for the page's tests. */
final class Chromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Path SHOTS = Path.of("target", "screenshots");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** Fails, naming what to install, without Chromium: failing rather than skipping, CI cannot pass without it. */
    static void check() {
        if (!Files.isExecutable(BINARY) || !Files.isExecutable(DRIVER)) {
            throw new AssertionError("browser tests need Debian's Chromium: apt-get install -y chromium chromium-driver"
                    + " (.ci/run does this), or leave this tier out with -DexcludedGroups=browser");
        }
    }

    /** A headless browser with a profile under {@code dir}. */
    static WebDriver start(Path dir) throws IOException {
        check();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chrome"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Waits until {@code check} holds (an exception counts as not yet); fails after a minute, with a screenshot. */
    static void waitFor(WebDriver driver, String what, Supplier<Boolean> check) {
        waitFor(driver, what, check, 60);
    }

    static void waitFor(WebDriver driver, String what, Supplier<Boolean> check, int seconds) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            try {
                if (Boolean.TRUE.equals(check.get())) {
                    return;
                }
            } catch (RuntimeException e) {
                // not there yet
            }
            if (System.nanoTime() > end) {
                shot(driver, "timeout");
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Saves a screenshot as {@code target/screenshots/<name>.png}. */
    static void shot(WebDriver driver, String name) {
        try {
            Files.createDirectories(SHOTS);
            File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            System.err.println("no screenshot " + name + ": " + e);
        }
    }

    /** Signs in with {@code token} on the page at {@code port} and follows the first project's review link. */
    static void openReview(WebDriver driver, int port, String token) {
        driver.get("http://localhost:" + port + "/");
        waitFor(driver, "the sign-in form", () -> driver.findElement(org.openqa.selenium.By.id("token")).isDisplayed());
        driver.findElement(org.openqa.selenium.By.id("token")).sendKeys(token, org.openqa.selenium.Keys.ENTER);
        org.openqa.selenium.By link = org.openqa.selenium.By.cssSelector("a.review-link");
        // The project list re-renders as it refreshes: a link found a moment ago may be gone, so the
        // click is retried until the page is on the review view.
        waitFor(driver, "the review view", () -> {
            if (!driver.getCurrentUrl().contains("#/review/")) {
                driver.findElement(link).click();
            }
            return driver.getCurrentUrl().contains("#/review/");
        });
    }

    /** Stops what a page test started, each part that was started, browser first. */
    static void stop(WebDriver driver, io.javalin.Javalin app, quarry.project.Workspace workspace) {
        if (driver != null) {
            driver.quit();
        }
        if (app != null) {
            app.stop();
        }
        if (workspace != null) {
            workspace.close();
        }
    }
}
