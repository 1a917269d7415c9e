package quarry.encode;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import quarry.core.Home;
import quarry.core.QuarryException;

/**
 * The encoders installed under the models folder, by name. The folder is {@code quarry.models}
 * (system property), else {@code QUARRY_MODELS} (environment), else {@code models/} beside the
 * folder holding {@code quarry.jar}, else {@code ./models}.
 */
public final class Encoders {

    /**
     * The encoder of new projects, chosen on validation splits against all-MiniLM-L6-v2, both int8
     * variants and the two concatenated (docs/BENCHMARKS.md): 2 to 3 points more accurate than
     * MiniLM at every label count with the default loop, at about 0.6× MiniLM's encoding speed;
     * the concatenation added a tenth of a point for both encoders' cost. Existing projects keep
     * the encoder they were created with.
     */
    public static final String DEFAULT = "bge-small-en-v1.5";

    /** A folder under models/: its spec when it loads, else the problem that stops it. */
    public record Installed(String name, ModelSpec spec, String problem) {
        public boolean ok() {
            return spec != null;
        }
    }

    private Encoders() {
    }

    public static Path modelsDir() {
        String configured = System.getProperty("quarry.models");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("QUARRY_MODELS");
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path besideJar = jarDir().map(dir -> dir.resolveSibling("models")).orElse(null);
        if (besideJar != null && Files.isDirectory(besideJar)) {
            return besideJar;
        }
        return Path.of("models").toAbsolutePath();
    }

    public static List<Installed> list(Path modelsDir) {
        if (!Files.isDirectory(modelsDir)) {
            throw new QuarryException("models folder " + modelsDir + " does not exist (build with mvn package, "
                    + "or set QUARRY_MODELS)");
        }
        List<Installed> found = new ArrayList<>();
        try (Stream<Path> folders = Files.list(modelsDir)) {
            // hidden folders are not encoders: the fine-tuner writes a new one under a hidden name first
            for (Path folder : folders.filter(Files::isDirectory)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                String name = folder.getFileName().toString();
                try {
                    found.add(new Installed(name, ModelSpec.load(folder), null));
                } catch (QuarryException e) {
                    found.add(new Installed(name, null, e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new QuarryException("cannot list " + modelsDir + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** The spec of encoder {@code name}; the error lists what is installed when it is not. */
    public static ModelSpec find(Path modelsDir, String name) {
        // A plain folder name only: "./x" or "../models/x" would name an installed encoder under a
        // second name, with a second cache over the same files.
        Path folder = modelsDir.resolve(name).normalize();
        boolean plain = name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}") && folder.getParent() != null
                && folder.getParent().equals(modelsDir.normalize());
        if (!plain || !Files.isDirectory(folder)) {
            List<String> names = list(modelsDir).stream().filter(Installed::ok).map(Installed::name).toList();
            throw new QuarryException("no encoder '" + name + "' in " + modelsDir + "; installed: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)));
        }
        return ModelSpec.load(folder);
    }

    /** Opens encoder {@code name} with its embedding cache under QUARRY_HOME. */
    public static CachingEncoder openCached(String name, EncoderOptions options) {
        return CachingEncoder.open(find(modelsDir(), name), options, Home.cacheDir());
    }

    private static java.util.Optional<Path> jarDir() {
        try {
            Path location = Path.of(Encoders.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) ? java.util.Optional.of(location.getParent())
                    : java.util.Optional.empty();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return java.util.Optional.empty();
        }
    }
}
