package quarry.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.model.Head;
import quarry.store.Store;

/**
 * A project's saved heads and the one model-version counter. A new version is saved to
 * {@code models/v<N>/} with its provenance, recorded in the store, then swapped in whole as the
 * serving model; request threads that still use the old one keep it until they let go.
 *
 * <p>Where several servers share the database, each keeps a workspace folder of its own (they may
 * be on different machines), so a version's files go into the database with its record, in one
 * transaction; a server that does not train writes them into its own folder when it
 * {@link #follow}s. A head is a few hundred kilobytes to a few megabytes, which the database holds
 * as easily as the folder does.
 */
final class ModelVersions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelVersions.class);
    static final String PROVENANCE_FILE = "provenance.json";
    /** Prefix of a version being saved; renamed to {@code v<N>} only once complete. */
    private static final String PARTIAL = ".partial-";

    private final Path dir;
    private final Store store;
    private final long projectId;
    /** Whether versions' files go into the database too, for other servers to load. */
    private final boolean share;
    /** The serving head and its version, swapped as one: a reader never pairs one head with another's number. */
    private record Serving(Shared<Head> head, int version) {
    }

    private volatile Serving serving;
    private volatile int version;
    private volatile Views.Report lastReport;

    ModelVersions(Path dir, Store store, long projectId, String projectName) {
        this.dir = dir;
        this.store = store;
        this.projectId = projectId;
        this.share = store.database().shared();
        removePartials(projectName);
        if (!share) {
            loadLatest(projectName); // shared: the database says which version is the latest (follow)
        }
    }

    /** A version whose save was cut short (a crash, a full disk) never became a version: drop what it left. */
    private void removePartials(String projectName) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path partial : dirs.filter(p -> p.getFileName().toString().startsWith(PARTIAL)).toList()) {
                Workspace.deleteTree(partial);
            }
        } catch (IOException e) {
            LOG.warn("cannot clean up partial model saves of project {}: {}", projectName, e.getMessage());
        }
    }

    private void loadLatest(String projectName) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            Optional<Path> latest = dirs.filter(p -> p.getFileName().toString().matches("v\\d+"))
                    .max(Comparator.comparingInt(ModelVersions::number));
            if (latest.isPresent()) {
                version = number(latest.get());
                serving = new Serving(new Shared<>(Head.load(latest.get())), version);
                store.models().list(projectId).stream().filter(m -> m.version() == version).findFirst()
                        .ifPresent(m -> lastReport = Json.readStored(m.report(), Views.Report.class));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot load the last model of project {}: {}", projectName, e.getMessage());
        }
    }

    private static int number(Path versionDir) {
        return Integer.parseInt(versionDir.getFileName().toString().substring(1));
    }

    int current() {
        return version;
    }

    Views.Report lastReport() {
        return lastReport;
    }

    /** The labels hash of the serving version, or null when there is none (or it predates provenance). */
    String lastLabelsHash() {
        Views.Report r = lastReport;
        return r == null || r.provenance() == null ? null : r.provenance().labelsHash();
    }

    /**
     * Saves {@code head} as the next version with the report {@code reportFor(version)} gives,
     * records it in the store and makes it the serving model. Trainer thread only.
     */
    synchronized int publish(Head head, Function<Integer, Views.Report> reportFor) {
        int next = version + 1;
        Path versionDir = dir.resolve("v" + next);
        Path partial = dir.resolve(PARTIAL + "v" + next);
        Views.Report report = reportFor.apply(next);
        // Saved aside, then renamed whole: a failed save leaves no v<N> behind, the counter does
        // not move, and the next round tries the same version again.
        Workspace.deleteTree(partial);
        head.save(partial);
        try {
            Files.writeString(partial.resolve(PROVENANCE_FILE), Json.write(report.provenance()));
            Workspace.deleteTree(versionDir);
            Files.move(partial, versionDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot save model version " + next + " to " + versionDir + ": "
                    + e, e);
        }
        Serving previous = serving;
        serving = new Serving(new Shared<>(Head.load(versionDir)), next);
        if (previous != null) {
            previous.head().retire();
        }
        store.models().add(projectId, next, report.labelsUsed(), Json.write(report),
                share ? readFiles(versionDir) : java.util.Map.of());
        lastReport = report;
        version = next;
        return next;
    }

    private static java.util.Map<String, byte[]> readFiles(Path versionDir) {
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        try (Stream<Path> list = Files.list(versionDir)) {
            for (Path f : list.filter(Files::isRegularFile).toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read model files in " + versionDir + ": " + e, e);
        }
        return files;
    }

    /**
     * Loads the latest version another server published, when it is newer than the serving one and
     * {@code fits} accepts it: its files are copied from the database into this server's folder
     * first. True when a version was loaded.
     */
    synchronized boolean follow(java.util.function.Predicate<Head> fits) {
        int latest = store.models().latest(projectId);
        if (latest <= version) {
            return false;
        }
        java.util.Map<String, byte[]> files = store.models().files(projectId, latest);
        if (files.isEmpty()) {
            LOG.warn("model version {} has no files in the database: staying on version {}", latest, version);
            return false;
        }
        Path versionDir = dir.resolve("v" + latest);
        Path partial = dir.resolve(PARTIAL + "v" + latest);
        Workspace.deleteTree(partial);
        try {
            Files.createDirectories(partial);
            for (java.util.Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(partial.resolve(f.getKey()), f.getValue());
            }
            Workspace.deleteTree(versionDir);
            Files.move(partial, versionDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write model version " + latest + " to " + versionDir + ": "
                    + e, e);
        }
        Head head = Head.load(versionDir);
        if (!fits.test(head)) {
            head.close();
            return false;
        }
        Serving previous = serving;
        serving = new Serving(new Shared<>(head), latest);
        if (previous != null) {
            previous.head().retire();
        }
        lastReport = store.models().find(projectId, latest).map(m -> Json.readStored(m.report(), Views.Report.class))
                .orElse(null);
        version = latest;
        return true;
    }

    boolean hasModel() {
        return serving != null;
    }

    /** Runs {@code work} with the serving model, or returns null when there is none yet. */
    <T> T withModel(Function<Head, T> work) {
        return withModelVersion((head, number) -> work.apply(head));
    }

    /** Runs {@code work} with the serving model and its version number, or returns null when there is none yet. */
    <T> T withModelVersion(BiFunction<Head, Integer, T> work) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Serving current = serving;
            if (current == null) {
                return null;
            }
            Shared<Head>.Use use = current.head().tryUse();
            if (use != null) {
                try (use) {
                    return work.apply(use.get(), current.version());
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        Serving s = serving;
        serving = null;
        if (s != null) {
            s.head().retire();
        }
    }
}
