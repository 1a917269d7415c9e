package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.QuarryException;
import quarry.project.Workspace;

/**
 * A workspace on a real, small file system (a 4 MB tmpfs) that fills up or turns read-only. Needs
 * the right to mount (root, as in CI); elsewhere the tests are skipped and say why.
 */
@Tag("integration")
class StorageFaultTest {

    @TempDir
    Path dir;
    private Path mount;

    private static int sh(String... command) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = dir.resolve("mnt");
        Files.createDirectories(mount);
        int rc = sh("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString());
        Assumptions.assumeTrue(rc == 0, "mounting a small tmpfs needs root (mount exited " + rc + ")");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            sh("umount", "-l", mount.toString());
        }
    }

    /** Writes until the file system is full; returns the filler to delete. */
    private static Path fill(Path folder) throws IOException {
        Path filler = folder.resolve("filler.bin");
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < 1_000; i++) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            return filler;
        }
        throw new AssertionError("the 4 MB file system never filled");
    }

    @Test
    void aFullDiskIsA507NamingTheWorkspaceReadsGoOnAndWritesRecover() throws Exception {
        try (Workspace w = Workspace.open(mount.resolve("ws"), false)) {
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http a = new Http(client, w.firstAdminToken());
                assertEquals(201, a.post("/api/projects", "{\"name\":\"p\",\"labels\":[\"x\",\"y\"]}").code());
                assertEquals(202, a.upload("/api/projects/p/documents", "application/x-ndjson",
                        "{\"id\":\"d0\",\"text\":\"zero\"}\n").code());
                Path filler = fill(mount);

                Http.Reply label = a.post("/api/projects/p/annotations", "{\"document\":\"d0\",\"labels\":[\"x\"]}");
                assertEquals(507, label.code(), label.body());
                assertEquals("insufficient_storage", label.error());

                Http.Reply token = a.post("/api/tokens", "{\"name\":\"carol\",\"role\":\"annotator\"}");
                assertEquals(507, token.code(), token.body());
                assertEquals("insufficient_storage", token.error());
                assertTrue(token.json().get("message").asText().contains(w.dir().toString()), token.body());
                Http.Reply upload = a.upload("/api/projects/p/documents", "application/x-ndjson",
                        "{\"id\":\"d1\",\"text\":\"" + "t".repeat(2000) + "\"}\n");
                assertEquals(507, upload.code(), upload.body());
                assertEquals(200, a.get("/api/projects/p").code(), "reads go on");
                assertEquals(1, a.get("/api/projects/p").json().get("documents").asInt(), "nothing half-stored");
                assertEquals(0, a.get("/api/projects/p").json().get("labeled").asInt(), "no label stored or counted");

                Files.delete(filler);
                assertEquals(201, a.post("/api/projects/p/annotations", "{\"document\":\"d0\",\"labels\":[\"x\"]}")
                        .code());
                assertEquals(201, a.post("/api/tokens", "{\"name\":\"carol\",\"role\":\"annotator\"}").code(),
                        "writes work again once there is space, without a restart");
                assertEquals(202, a.upload("/api/projects/p/documents", "application/x-ndjson",
                        "{\"id\":\"d1\",\"text\":\"one\"}\n").code());
            });
        }
    }

    @Test
    void aReadOnlyWorkspaceIsRefusedAtStartInWords() throws Exception {
        try (Workspace w = Workspace.open(mount.resolve("ws"), false)) {
            assertTrue(w.firstAdminToken() != null);
        }
        assertEquals(0, sh("mount", "-o", "remount,ro", mount.toString()));
        try {
            QuarryException refused = assertThrows(QuarryException.class,
                    () -> Workspace.open(mount.resolve("ws"), false));
            assertTrue(refused.getMessage().contains(mount.resolve("ws").toAbsolutePath().toString())
                    && refused.getMessage().contains("cannot be written"), refused.getMessage());
        } finally {
            sh("mount", "-o", "remount,rw", mount.toString());
        }
    }
}
