package quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.Cli;
import quarry.project.ProjectSession;
import quarry.project.ProjectSettings;
import quarry.project.Workspace;
import quarry.store.Database;
import quarry.store.Records.Label;
import quarry.store.Store;

/**
 * {@code quarry backup} while labels are being written, and {@code quarry restore}: every label
 * acknowledged before the backup began is back, the copy is one consistent moment, and a restore
 * that cannot finish leaves the target as it was.
 */
@Tag("integration")
class BackupRestoreTest {

    private static final int DOCS = 400;

    @Test
    void aBackupTakenWhileLabelsAreWrittenHasEveryAcknowledgedLabel(@TempDir Path dir) throws Exception {
        Path ws = dir.resolve("ws");
        Path file = dir.resolve("backup.zip");
        Path restored = dir.resolve("restored");
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        long projectId;
        int before;
        try (Workspace w = Workspace.open(ws, false)) {
            ProjectSession p = project(w, dir);
            projectId = p.project().id();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < DOCS && !stop.get(); i++) {
                    p.annotate("alice", "d" + i, List.of(i % 2 == 0 ? "even" : "odd"), null);
                    acknowledged.add("d" + i); // only once annotate returned: the label is committed
                }
            });
            writer.start();
            while (acknowledged.size() < 30) {
                Thread.sleep(5);
            }
            before = acknowledged.size();
            Cli backup = Cli.run("backup", "--workspace", ws.toString(), "--out", file.toString());
            int after = acknowledged.size();
            stop.set(true);
            writer.join();
            assertEquals(0, backup.code(), backup.err());
            assertTrue(backup.out().contains("backed up"), backup.out());
            assertTrue(after > before, "labels went on being written during the backup: " + before + " -> " + after);

            // The running server's folder is never restored over, not even with --force.
            Cli served = Cli.run("restore", "--from", file.toString(), "--workspace", ws.toString(), "--force");
            assertEquals(1, served.code());
            assertTrue(served.err().contains("running Quarry server"), served.err());
            assertTrue(Files.exists(ws.resolve("quarry.db")));
        }

        Cli restore = Cli.run("restore", "--from", file.toString(), "--workspace", restored.toString());
        assertEquals(0, restore.code(), restore.err());
        Map<Integer, List<String>> labels;
        try (Store s = new Store(Database.sqlite(restored))) {
            labels = s.annotations().currentLabels(projectId);
        }
        Set<String> back = new HashSet<>();
        labels.keySet().forEach(row -> back.add("d" + row));
        for (String id : acknowledged.subList(0, before)) {
            assertTrue(back.contains(id), id + " was acknowledged before the backup began and is not back");
        }
        // One consistent moment: the labels back are exactly the first n acknowledged, in order.
        assertEquals(new HashSet<>(acknowledged.subList(0, back.size())), back);
        for (Map.Entry<Integer, List<String>> e : labels.entrySet()) {
            assertEquals(List.of(e.getKey() % 2 == 0 ? "even" : "odd"), e.getValue());
        }
        // The restored folder is a workspace a server opens.
        try (Workspace again = Workspace.open(restored, false)) {
            assertEquals(back.size(), again.project("p").labelCount());
            assertEquals(Database.latestVersion(), again.store().schemaVersion());
        }
        assertTrue(Files.exists(file), "the backup file stays");
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().startsWith(".")), "no temporary folders left");
        }
    }

    @Test
    void restoreRefusesMissingDamagedAndForeignFilesAndLeavesTheTargetAlone(@TempDir Path dir) throws Exception {
        Path ws = dir.resolve("ws");
        Path file = dir.resolve("good.zip");
        try (Workspace w = Workspace.open(ws, false)) {
            w.createToken("bob", "annotator");
        }
        assertEquals(0, Cli.run("backup", "--workspace", ws.toString(), "--out", file.toString()).code());
        Path target = dir.resolve("target");

        Cli missing = Cli.run("restore", "--from", dir.resolve("nope.zip").toString(), "--workspace", target.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no backup file"), missing.err());

        Path garbage = dir.resolve("garbage.zip");
        Files.write(garbage, "this is not a zip".getBytes(StandardCharsets.UTF_8));
        assertRefused(garbage, target, "not a zip file");

        Path truncated = dir.resolve("truncated.zip");
        byte[] good = Files.readAllBytes(file);
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        assertRefused(truncated, target, "not a Quarry backup");

        Path tampered = dir.resolve("tampered.zip");
        rewrite(file, tampered, (name, bytes) -> {
            if (name.equals("quarry.db")) {
                bytes[bytes.length / 2] ^= 0x5a;
            }
            return bytes;
        }, null);
        assertRefused(tampered, target, "SHA-256");

        Path escaping = dir.resolve("escaping.zip");
        rewrite(file, escaping, (name, bytes) -> bytes, "projects/../../evil.txt");
        assertRefused(escaping, target, "evil.txt");
        assertFalse(Files.exists(dir.resolve("evil.txt")));

        Path foreign = dir.resolve("foreign.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(foreign))) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("hello".getBytes(StandardCharsets.UTF_8));
        }
        assertRefused(foreign, target, "quarry-backup.json");

        // An existing workspace is replaced only with --force, and only by a backup that checks out.
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "mine");
        Cli exists = Cli.run("restore", "--from", file.toString(), "--workspace", target.toString());
        assertEquals(1, exists.code());
        assertTrue(exists.err().contains("--force"), exists.err());
        assertRefused(tampered, target, "SHA-256");
        assertEquals("mine", Files.readString(target.resolve("keep.txt")), "a failed restore leaves the target");
        Cli forced = Cli.run("restore", "--from", file.toString(), "--workspace", target.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertFalse(Files.exists(target.resolve("keep.txt")));
        try (Store s = new Store(Database.sqlite(target))) {
            assertTrue(s.tokens().list().stream().anyMatch(t -> t.name().equals("bob")));
        }
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            List<String> hidden = new ArrayList<>();
            left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).forEach(hidden::add);
            assertEquals(List.of(), hidden, "no temporary folders left");
        }
    }

    @Test
    void backupRefusesWhatItCannotCopy(@TempDir Path dir) throws Exception {
        Cli none = Cli.run("backup", "--workspace", dir.resolve("none").toString(), "--out",
                dir.resolve("b.zip").toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no workspace folder"), none.err());

        Files.createDirectories(dir.resolve("pg"));
        Cli pg = Cli.run("backup", "--workspace", dir.resolve("pg").toString(), "--out", dir.resolve("b.zip").toString());
        assertEquals(1, pg.code());
        assertTrue(pg.err().contains("pg_dump"), pg.err());
        Cli pgUrl = Cli.run("backup", "--workspace", dir.resolve("pg").toString(), "--out",
                dir.resolve("b.zip").toString(), "--db", "postgresql://u:secret@localhost/q");
        assertTrue(pgUrl.err().contains("pg_dump") && !pgUrl.err().contains("secret"), pgUrl.err());

        Path ws = dir.resolve("ws");
        try (Workspace w = Workspace.open(ws, false)) {
            Path out = dir.resolve("exists.zip");
            Files.writeString(out, "older backup");
            Cli exists = Cli.run("backup", "--workspace", ws.toString(), "--out", out.toString());
            assertEquals(1, exists.code());
            assertTrue(exists.err().contains("exists already"), exists.err());
            assertEquals("older backup", Files.readString(out));
        }
    }

    private static void assertRefused(Path backup, Path target, String why) {
        boolean existed = Files.exists(target);
        Cli r = Cli.run("restore", "--from", backup.toString(), "--workspace", target.toString(), "--force");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(why), r.err());
        assertEquals(existed, Files.exists(target), "the target is as it was");
    }

    interface Edit {
        byte[] apply(String name, byte[] bytes);
    }

    /** A copy of a backup with its entries' bytes edited (hashes unchanged), and maybe one more entry. */
    private static void rewrite(Path from, Path to, Edit edit, String extra) throws Exception {
        try (ZipFile in = new ZipFile(from.toFile()); OutputStream os = Files.newOutputStream(to);
                ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(edit.apply(e.getName(), bytes));
                out.closeEntry();
            }
            if (extra != null) {
                out.putNextEntry(new ZipEntry(extra));
                out.write("x".getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    /** A project of {@value #DOCS} short documents: labels go to the store, embedding is not waited for. */
    private static ProjectSession project(Workspace w, Path dir) throws Exception {
        ProjectSession p = w.createProject("p", false, "all-minilm-l6-v2-q", List.of(new Label(0, "even", null),
                new Label(1, "odd", null)), ProjectSettings.DEFAULTS);
        w.createToken("alice", "annotator", "p");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < DOCS; i++) {
            jsonl.append("{\"id\":\"d").append(i).append("\",\"text\":\"document number ").append(i).append("\"}\n");
        }
        Path docs = dir.resolve("docs.jsonl");
        Files.writeString(docs, jsonl);
        w.importDocuments(p, docs);
        return p;
    }
}
