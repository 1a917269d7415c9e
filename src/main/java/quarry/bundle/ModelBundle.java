package quarry.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import quarry.core.QuarryException;
import quarry.core.Version;
import quarry.encode.ModelSpec;
import quarry.model.Head;

/**
 * A project model that runs without the server: a folder with
 * <pre>
 *   bundle.json          provenance, labels, thresholds, and every file's size and SHA-256
 *   encoder/&lt;id&gt;/      the encoder folder as the project used it (model.json, weights, tokenizer.json)
 *   head/                the classifier head (head.json, weights.params)
 * </pre>
 * The encoder's weights are copied, not referred to by name: a bundle is meant for another machine
 * (a Spark cluster, say), which may have no Quarry models folder, or one whose encoder of that name
 * differs (a fine-tuned encoder exists only in its workspace). 90 to 130 MB per bundle is the price.
 *
 * <p>Written beside the target and renamed into place, so a failed export leaves nothing that
 * looks like a bundle; read back with every file checked against the manifest.
 */
public final class ModelBundle {

    public static final String FORMAT = "quarry-model-bundle";
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "bundle.json";
    static final String HEAD = "head";
    static final String ENCODER = "encoder";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What the exporting project knows of the model beyond its files. */
    public record Origin(String project, int modelVersion, int labelsSeen, String encoderFingerprint,
            BundleManifest.SafeToAccept safeToAccept, JsonNode provenance) {
    }

    private ModelBundle() {
    }

    /**
     * Writes a bundle of {@code head} and the encoder folder {@code encoder} to {@code target}, which
     * must not exist yet.
     */
    public static BundleManifest write(Path target, Head head, ModelSpec encoder, Origin origin) {
        if (!head.encoderId().equals(encoder.id())) {
            throw new IllegalArgumentException("head of encoder '" + head.encoderId() + "' with encoder '"
                    + encoder.id() + "'");
        }
        if (Files.exists(target)) {
            throw new QuarryException(target + " exists already: give a new folder for the bundle");
        }
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            deleteTree(partial);
            Path encoderDir = partial.resolve(ENCODER).resolve(encoder.id());
            Files.createDirectories(encoderDir);
            for (Path f : List.of(encoder.folder().resolve(ModelSpec.MODEL_JSON), encoder.weights(),
                    encoder.tokenizer())) {
                Files.copy(f, encoderDir.resolve(f.getFileName()));
            }
            head.save(partial.resolve(HEAD));
            BundleManifest manifest = new BundleManifest(FORMAT, FORMAT_VERSION, origin.project(),
                    origin.modelVersion(), origin.labelsSeen(), head.labels(), head.multiLabel(),
                    Instant.now().toString(), Version.QUARRY, encoder.id(), origin.encoderFingerprint(),
                    head.multiLabel() ? null : origin.safeToAccept(), origin.provenance(), checksums(partial));
            Files.write(partial.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return manifest;
        } catch (IOException e) {
            deleteTree(partial);
            throw new QuarryException("cannot write the model bundle " + target + ": " + e, e);
        } catch (RuntimeException e) {
            deleteTree(partial);
            throw e;
        }
    }

    /**
     * Reads and checks a bundle: its manifest, every file's size and checksum, and that the encoder
     * folder is the one the head was trained with. Throws naming the first problem.
     */
    public static BundleManifest verify(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new QuarryException("model bundle " + dir + " does not exist or is not a folder");
        }
        Path file = dir.resolve(MANIFEST);
        BundleManifest m;
        try {
            m = JSON.readValue(Files.readAllBytes(file), BundleManifest.class);
        } catch (NoSuchFileException e) {
            throw new QuarryException(dir + " is not a Quarry model bundle: " + MANIFEST + " is missing (write one"
                    + " with 'quarry export-model')");
        } catch (JsonProcessingException e) {
            throw new QuarryException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new QuarryException("cannot read " + file + ": " + e, e);
        }
        String problem = problem(m);
        if (problem != null) {
            throw new QuarryException(file + ": " + problem);
        }
        for (Map.Entry<String, BundleManifest.FileEntry> f : m.files().entrySet()) {
            Path path = inside(dir, f.getKey(), file);
            if (!Files.isRegularFile(path)) {
                throw new QuarryException(path + " is missing (listed in " + file + ")");
            }
            BundleManifest.FileEntry actual = entry(path);
            if (actual.bytes() != f.getValue().bytes() || !actual.sha256().equals(f.getValue().sha256())) {
                throw new QuarryException(path + " is damaged: " + actual.bytes() + " bytes with SHA-256 "
                        + actual.sha256() + ", " + file + " expects " + f.getValue().bytes() + " bytes with SHA-256 "
                        + f.getValue().sha256());
            }
        }
        return m;
    }

    private static String problem(BundleManifest m) {
        if (!FORMAT.equals(m.format())) {
            return "field 'format' is '" + m.format() + "', expected '" + FORMAT + "'";
        }
        if (m.formatVersion() != FORMAT_VERSION) {
            return "field 'formatVersion' is " + m.formatVersion() + "; this build reads " + FORMAT_VERSION;
        }
        if (m.labels() == null || m.labels().size() < 2) {
            return "field 'labels': needs two labels or more";
        }
        if (m.encoderId() == null || !m.encoderId().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            return "field 'encoderId' must be an encoder folder name, got '" + m.encoderId() + "'";
        }
        if (m.encoderFingerprint() == null || m.files() == null || m.files().isEmpty()) {
            return "fields 'encoderFingerprint' and 'files' are required";
        }
        return null;
    }

    /** {@code name} resolved in {@code dir}, refusing a path that leaves it. */
    private static Path inside(Path dir, String name, Object where) {
        Path root = dir.toAbsolutePath().normalize();
        Path path = root.resolve(name).normalize();
        if (name.isEmpty() || Path.of(name).isAbsolute() || !path.startsWith(root) || path.equals(root)) {
            throw new QuarryException(where + ": file name '" + name + "' is not a plain path inside the bundle");
        }
        return path;
    }

    /** The bundle's encoder folder. */
    static Path encoderDir(Path dir, BundleManifest m) {
        return dir.resolve(ENCODER).resolve(m.encoderId());
    }

    static Path headDir(Path dir) {
        return dir.resolve(HEAD);
    }

    /** Writes the bundle folder {@code dir} as a zip archive (for a download). */
    public static void zip(Path dir, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        // Weights hardly compress; the fastest level keeps a download from waiting on the CPU.
        zip.setLevel(Deflater.BEST_SPEED);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            zip.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
            Files.copy(f, zip);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /**
     * Unpacks a zipped bundle into {@code target} (which must not exist) and verifies it; nothing is
     * left at {@code target} unless the whole bundle checks out.
     */
    public static BundleManifest unzip(InputStream in, Path target) {
        if (Files.exists(target)) {
            throw new QuarryException(target + " exists already: give a new folder for the bundle");
        }
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            deleteTree(partial);
            Files.createDirectories(partial);
            ZipInputStream zip = new ZipInputStream(in);
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.isDirectory()) {
                    continue;
                }
                Path path = inside(partial, e.getName(), "the bundle archive");
                Files.createDirectories(path.getParent());
                Files.copy(zip, path);
            }
            BundleManifest m = verify(partial);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return m;
        } catch (FileAlreadyExistsException e) {
            deleteTree(partial);
            throw new QuarryException("the bundle archive holds " + e.getFile() + " twice", e);
        } catch (IOException e) {
            deleteTree(partial);
            throw new QuarryException("cannot unpack the model bundle into " + target + ": " + e, e);
        } catch (RuntimeException e) {
            deleteTree(partial);
            throw e;
        }
    }

    private static Map<String, BundleManifest.FileEntry> checksums(Path dir) throws IOException {
        Map<String, BundleManifest.FileEntry> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(f).toString().replace('\\', '/'), entry(f));
            }
        }
        return out;
    }

    private static BundleManifest.FileEntry entry(Path f) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            long bytes = in.transferTo(OutputStream.nullOutputStream());
            return new BundleManifest.FileEntry(bytes,
                    HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()));
        } catch (IOException e) {
            throw new QuarryException("cannot read " + f + ": " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static void deleteTree(Path dir) {
        try {
            quarry.core.Trees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
