package quarry.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.QuarryException;

/** Reading database URLs: both forms, credentials kept out of the URL and out of every message. */
@Tag("unit")
class PostgresUrlTest {

    private static PostgresUrl parse(String spec) {
        return PostgresUrl.parse(spec, Map.of());
    }

    @Test
    void libpqFormKeepsTheCredentialsApart() {
        PostgresUrl u = parse("postgresql://bob:s3cr%40t+x@db.example:6543/quarry?sslmode=require");
        assertEquals("jdbc:postgresql://db.example:6543/quarry?sslmode=require", u.jdbcUrl());
        assertEquals("bob", u.user());
        assertEquals("s3cr@t+x", u.password(), "percent-escapes are decoded, a plus stays a plus");
        assertEquals("postgresql://bob@db.example:6543/quarry", u.shown());
        assertEquals(u.shown(), u.toString(), "printing it never prints the password");
        assertEquals("jdbc:postgresql://localhost/q", parse("postgres://@/q").jdbcUrl(), "host defaults to localhost");
    }

    @Test
    void jdbcFormTakesUserAndPasswordFromItsParameters() {
        PostgresUrl u = parse("jdbc:postgresql://h1:5432,[::1]:5433/quarry?user=ann&password=pw&connectTimeout=3");
        assertEquals("jdbc:postgresql://h1:5432,[::1]:5433/quarry?connectTimeout=3", u.jdbcUrl());
        assertEquals("ann", u.user());
        assertEquals("pw", u.password());
        assertFalse(u.shown().contains("pw"));
    }

    @Test
    void pgpasswordFillsInAMissingPassword() {
        assertEquals("fromenv", PostgresUrl.parse("postgresql://bob@h/q", Map.of("PGPASSWORD", "fromenv")).password());
        assertEquals("given", PostgresUrl.parse("postgresql://bob:given@h/q", Map.of("PGPASSWORD", "env")).password());
        assertNull(parse("postgresql://bob@h/q").password());
    }

    @Test
    void badUrlsAreRefusedNamingTheProblemAndNeverThePassword() {
        Map<String, String> cases = Map.of(
                "mysql://root:hunter2@h/q", "'mysql:' is not a PostgreSQL URL",
                "hunter2", "no scheme",
                "postgresql:h/q", "lacks '//'",
                "postgresql://u:hunter2@h:99999/q", "port '99999'",
                "postgresql://u:hunter2@h:abc/q", "port 'abc'",
                "postgresql://u:hunter2@h:5432", "names no database",
                "postgresql://u:hunter2@h/", "names no database",
                "jdbc:postgresql://h/a/b?password=hunter2", "'a/b' holds a '/'",
                "postgresql://u:hunter2%zz@h/q", "broken %-escape",
                "", "empty");
        cases.forEach((spec, problem) -> {
            QuarryException e = assertThrows(QuarryException.class, () -> parse(spec), spec);
            assertTrue(e.getMessage().contains(problem), spec + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("postgresql://user:password@host:port/dbname"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), "the password leaked: " + e.getMessage());
        });
    }
}
