package quarry.project;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import quarry.core.QuarryException;
import quarry.core.Version;
import quarry.store.SqliteBackup;

/**
 * A workspace in one file, taken while its server runs, and put back. The file is a zip of the
 * database (an online copy, see {@link SqliteBackup#snapshot}), the projects' model versions and
 * the fine-tuned encoders, with a manifest of every file's SHA-256. Vector indexes and the embedding
 * cache are left out: the server rebuilds them from the documents on its first start.
 */
public final class WorkspaceBackup {

    static final String MANIFEST = "quarry-backup.json";
    private static final int FORMAT = 1;

    /** What the manifest says. */
    record Manifest(int format, String quarry, int schemaVersion, String created, Map<String, String> files) {
    }

    /** What a restore brought back. */
    public record Restored(Path workspace, int schemaVersion, int files, String created) {
    }

    private WorkspaceBackup() {
    }

    /**
     * Backs the workspace in {@code dir} up into the new file {@code out}, while a server may be
     * running on it. The database is copied first and the model files after, so every model
     * version the copied database records has its files in the backup.
     *
     * @return the number of files in the backup
     */
    public static int backup(Path dir, Path out) {
        Path workspace = dir.toAbsolutePath().normalize();
        Path target = out.toAbsolutePath().normalize();
        if (!Files.isDirectory(workspace)) {
            throw new QuarryException("no workspace folder at " + workspace);
        }
        if (!Files.isRegularFile(workspace.resolve(SqliteBackup.FILE))) {
            throw new QuarryException(workspace + " has no SQLite database (" + SqliteBackup.FILE + "). A workspace"
                    + " on PostgreSQL keeps its data in the database: back that up with pg_dump (README, Operations)");
        }
        if (Files.exists(target)) {
            throw new QuarryException(target + " exists already; choose a new file for the backup");
        }
        if (target.startsWith(workspace)) {
            throw new QuarryException("the backup " + target + " would be inside the workspace it backs up");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new QuarryException("no folder " + parent + " to write the backup into");
        }
        Path temp = null;
        Path partial = parent.resolve("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        try {
            temp = Files.createTempDirectory(parent, ".quarry-backup-");
            Path db = temp.resolve(SqliteBackup.FILE);
            SqliteBackup.snapshot(workspace.resolve(SqliteBackup.FILE), db);
            int schema = SqliteBackup.check(db);
            Map<String, String> files = new TreeMap<>();
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(partial))) {
                files.put(SqliteBackup.FILE, add(zip, SqliteBackup.FILE, db));
                for (Path f : modelFiles(workspace)) {
                    String name = workspace.relativize(f).toString().replace('\\', '/');
                    try {
                        files.put(name, add(zip, name, f));
                    } catch (NoSuchFileException gone) {
                        // deleted with its project while the backup ran: the copied database may
                        // still name it, and the restored server retrains that project
                    }
                }
                Manifest m = new Manifest(FORMAT, Version.QUARRY, schema, java.time.Instant.now().toString(), files);
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(Json.write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            try (FileChannel written = FileChannel.open(partial, java.nio.file.StandardOpenOption.WRITE)) {
                written.force(true); // on disk before it takes the name a person will trust
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return files.size();
        } catch (IOException e) {
            throw new QuarryException("cannot write the backup " + target + ": " + e, e);
        } finally {
            deleteQuietly(partial);
            if (temp != null) {
                Workspace.deleteTree(temp);
            }
        }
    }

    /**
     * What the backup holds besides the database: each project's model versions (small, and named by
     * the database) and the fine-tuned encoders the projects run on. Saves in progress are skipped.
     */
    private static List<Path> modelFiles(Path workspace) throws IOException {
        List<Path> out = new java.util.ArrayList<>();
        Path projects = workspace.resolve("projects");
        if (Files.isDirectory(projects)) {
            try (Stream<Path> each = Files.list(projects)) {
                for (Path project : each.sorted().toList()) {
                    collect(project.resolve("models"), out);
                }
            }
        }
        collect(workspace.resolve("encoders"), out);
        return out;
    }

    private static void collect(Path root, List<Path> out) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).getName(0).toString().startsWith("."))
                    .sorted().forEach(out::add);
        } catch (java.io.UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e.getCause();
            }
        }
    }

    private static String add(ZipOutputStream zip, String name, Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            zip.putNextEntry(new ZipEntry(name));
            in.transferTo(zip);
            zip.closeEntry();
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Restores the backup {@code from} as the workspace {@code dir}. A folder a running server holds
     * is never touched; an existing one is replaced only with {@code force}. The backup is unpacked
     * and checked in a folder beside {@code dir} and moved into place whole, so a failed restore
     * leaves {@code dir} as it was.
     */
    public static Restored restore(Path from, Path dir, boolean force) {
        Path file = from.toAbsolutePath().normalize();
        Path workspace = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new QuarryException("no backup file at " + file);
        }
        Path parent = workspace.getParent();
        if (parent == null) {
            throw new QuarryException("cannot restore into " + workspace);
        }
        boolean exists = Files.exists(workspace) && !isEmptyDir(workspace);
        if (exists && !Files.isDirectory(workspace)) {
            throw new QuarryException(workspace + " is a file, not a workspace folder");
        }
        if (exists) {
            checkNotServed(workspace);
            if (!force) {
                throw new QuarryException("the workspace " + workspace + " exists; restore into a new folder, or add"
                        + " --force to replace it (it is replaced only once the backup has been unpacked and checked)");
            }
        }
        Path temp = null;
        try {
            Files.createDirectories(parent);
            temp = Files.createTempDirectory(parent, "." + workspace.getFileName() + ".restore-");
            Manifest m = unpack(file, temp);
            int schema = SqliteBackup.check(temp.resolve(SqliteBackup.FILE));
            if (schema != m.schemaVersion()) {
                throw new QuarryException(file + " is damaged: its manifest says schema version " + m.schemaVersion()
                        + ", its database has " + schema);
            }
            swapIn(temp, workspace);
            temp = null;
            return new Restored(workspace, schema, m.files().size(), m.created());
        } catch (IOException e) {
            throw new QuarryException("cannot restore " + file + " into " + workspace + ": " + e, e);
        } finally {
            if (temp != null) {
                Workspace.deleteTree(temp);
            }
        }
    }

    /** Refuses a folder that a server holds open (its lock is taken), whatever the options. */
    private static void checkNotServed(Path workspace) {
        FileChannel lock;
        try {
            lock = Workspace.lockFolder(workspace);
        } catch (QuarryException e) {
            throw new QuarryException("the workspace " + workspace + " is open in a running Quarry server: stop the"
                    + " server before restoring over it", e);
        }
        Workspace.closeQuietly(lock);
    }

    /**
     * Moves the checked folder into place: an existing workspace is moved aside first (under its
     * lock, so no server opens it meanwhile) and deleted only once the new one is in place.
     */
    private static void swapIn(Path ready, Path workspace) throws IOException {
        if (!Files.exists(workspace)) {
            Files.move(ready, workspace, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path aside = workspace.resolveSibling("." + workspace.getFileName() + ".replaced-" + UUID.randomUUID());
        FileChannel lock = Workspace.lockFolder(workspace);
        try {
            Files.move(workspace, aside, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Workspace.closeQuietly(lock);
        }
        try {
            Files.move(ready, workspace, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.move(aside, workspace, StandardCopyOption.ATOMIC_MOVE); // put the old one back
            throw e;
        }
        Workspace.deleteTree(aside);
    }

    /** Unpacks {@code file} into {@code into}, checking every name and every file's hash against the manifest. */
    private static Manifest unpack(Path file, Path into) throws IOException {
        Manifest m;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry manifest = zip.getEntry(MANIFEST);
            if (manifest == null) {
                throw notABackup(file, "it has no " + MANIFEST);
            }
            try (InputStream in = zip.getInputStream(manifest)) {
                m = Json.MAPPER.readValue(in.readNBytes(1 << 24), Manifest.class);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw notABackup(file, "its manifest cannot be read (" + e.getOriginalMessage() + ")");
            }
            if (m.format() != FORMAT || m.files() == null || !m.files().containsKey(SqliteBackup.FILE)) {
                throw notABackup(file, "its manifest is not one this Quarry reads (format " + m.format() + ")");
            }
            Map<String, Boolean> seen = new LinkedHashMap<>();
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                String name = e.getName();
                if (name.equals(MANIFEST) || e.isDirectory()) {
                    continue;
                }
                Path to = safe(file, into, name);
                String expected = m.files().get(name);
                if (expected == null) {
                    throw notABackup(file, "it holds '" + name + "', which its manifest does not list");
                }
                if (seen.put(name, true) != null) {
                    throw notABackup(file, "it holds '" + name + "' twice");
                }
                Files.createDirectories(to.getParent());
                MessageDigest sha = sha256();
                try (InputStream in = new DigestInputStream(zip.getInputStream(e), sha);
                        OutputStream out = Files.newOutputStream(to, java.nio.file.StandardOpenOption.CREATE_NEW)) {
                    in.transferTo(out);
                } catch (FileAlreadyExistsException twice) {
                    throw notABackup(file, "it holds '" + name + "' twice");
                }
                if (!HexFormat.of().formatHex(sha.digest()).equals(expected)) {
                    throw notABackup(file, "'" + name + "' does not match its SHA-256 in the manifest (damaged)");
                }
            }
            for (String name : m.files().keySet()) {
                if (!seen.containsKey(name)) {
                    throw notABackup(file, "'" + name + "' is listed in its manifest but missing");
                }
            }
        } catch (ZipException e) {
            throw notABackup(file, "it is not a zip file, or a damaged one (" + e.getMessage() + ")");
        }
        return m;
    }

    /** Where an entry goes: only the database and files under projects/ and encoders/, never outside. */
    private static Path safe(Path file, Path into, String name) {
        boolean known = name.equals(SqliteBackup.FILE) || name.startsWith("projects/") || name.startsWith("encoders/");
        if (!known || name.contains("\\") || name.chars().anyMatch(Character::isISOControl)) {
            throw notABackup(file, "it holds an unexpected entry '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        Path to = into.resolve(name).normalize();
        if (!to.startsWith(into) || to.equals(into)) {
            throw notABackup(file, "its entry '" + name + "' points outside the workspace");
        }
        return to;
    }

    private static QuarryException notABackup(Path file, String why) {
        return new QuarryException(file + " is not a Quarry backup that can be restored: " + why);
    }

    private static boolean isEmptyDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover partial file is harmless: its name starts with a dot and says what it is
        }
    }
}
