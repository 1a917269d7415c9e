package quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import quarry.core.QuarryException;

/** serve listens on loopback unless told otherwise, and prints the address it is bound to. */
@Tag("unit")
class ServeCommandTest {

    @Test
    void loopbackIsTheDefaultAndOtherAddressesAreNamed() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();
        assertEquals("127.0.0.1", serve.host);
        assertTrue(ServeCommand.isLoopback("127.0.0.1"));
        assertTrue(ServeCommand.isLoopback("::1"));
        assertFalse(ServeCommand.isLoopback("0.0.0.0"));
        assertEquals("http://127.0.0.1:7070/", ServeCommand.address("127.0.0.1", 7070));
        assertEquals("http://[::1]:8080/", ServeCommand.address("::1", 8080));
        assertTrue(ServeCommand.address("0.0.0.0", 7070).startsWith("http://localhost:7070/ (listening on every"
                + " interface: 0.0.0.0)"));
        new CommandLine(serve).parseArgs("--host", "0.0.0.0");
        assertEquals("0.0.0.0", serve.host);
    }

    @Test
    void theMetricsTokenComesFromAFileAndMustBeLong(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "0123456789abcdef0123\n");
        assertEquals("0123456789abcdef0123", ServeCommand.readMetricsToken(file));
        Files.writeString(file, "short");
        QuarryException tooShort = assertThrows(QuarryException.class, () -> ServeCommand.readMetricsToken(file));
        assertTrue(tooShort.getMessage().contains(file.toString()) && !tooShort.getMessage().contains("short"),
                tooShort.getMessage());
        Files.writeString(file, "0123456789 abcdef0123");
        assertThrows(QuarryException.class, () -> ServeCommand.readMetricsToken(file));
        assertThrows(QuarryException.class, () -> ServeCommand.readMetricsToken(dir.resolve("missing")));
    }
}
