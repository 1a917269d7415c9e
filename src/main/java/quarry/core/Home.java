package quarry.core;

import java.nio.file.Path;

/**
 * Where Quarry keeps its state: caches, DJL's native libraries, workspaces. {@code QUARRY_HOME}
 * (environment) or {@code quarry.home} (system property) moves it; the default is {@code ~/.quarry}.
 */
public final class Home {

    private Home() {
    }

    public static Path dir() {
        String configured = System.getProperty("quarry.home");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("QUARRY_HOME");
        }
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".quarry");
        }
        return Path.of(configured).toAbsolutePath();
    }

    public static Path cacheDir() {
        return dir().resolve("cache");
    }
}
