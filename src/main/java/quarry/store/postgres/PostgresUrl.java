package quarry.store.postgres;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import quarry.core.QuarryException;

/**
 * Where a PostgreSQL database is, read from {@code postgresql://user:password@host:port/dbname}
 * (libpq's form; {@code postgres://} too) or {@code jdbc:postgresql://host:port/dbname?user=…&password=…}.
 * The credentials are kept apart from the JDBC URL, so that nothing which prints the URL or
 * {@link #shown()} prints the password.
 *
 * @param jdbcUrl the driver's URL, without user or password
 * @param user the login, or null for the driver's default
 * @param password the password, or null for none ({@code PGPASSWORD} fills it in, as for libpq)
 * @param shown where the database is, fit for messages and logs: {@code postgresql://user@host:port/dbname}
 */
public record PostgresUrl(String jdbcUrl, String user, String password, String shown) {

    private static final String FORMS = "give postgresql://user:password@host:port/dbname or"
            + " jdbc:postgresql://host:port/dbname?user=NAME&password=SECRET";

    @Override
    public String toString() {
        return shown; // a record would print the password
    }

    /** Reads a database URL; a malformed one fails naming the problem, never echoing a password. */
    public static PostgresUrl parse(String spec) {
        return parse(spec, System.getenv());
    }

    static PostgresUrl parse(String spec, Map<String, String> env) {
        if (spec == null || spec.isBlank()) {
            throw bad("the database URL is empty");
        }
        String rest;
        if (spec.startsWith("jdbc:postgresql:")) {
            rest = spec.substring("jdbc:postgresql:".length());
        } else if (spec.startsWith("postgresql:")) {
            rest = spec.substring("postgresql:".length());
        } else if (spec.startsWith("postgres:")) {
            rest = spec.substring("postgres:".length());
        } else {
            // Only a scheme is echoed: the rest may hold a password.
            int colon = spec.indexOf(':');
            String scheme = colon < 0 ? "" : spec.substring(0, colon);
            throw bad((scheme.matches("[A-Za-z][A-Za-z0-9+.-]{0,19}") ? "'" + scheme + ":'" : "a URL with no scheme")
                    + " is not a PostgreSQL URL; SQLite needs no URL (leave --db out)");
        }
        if (!rest.startsWith("//")) {
            throw bad("the database URL lacks '//' before the host");
        }
        rest = rest.substring(2);
        int q = rest.indexOf('?');
        String query = q < 0 ? "" : rest.substring(q + 1);
        rest = q < 0 ? rest : rest.substring(0, q);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
        int at = authority.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String hosts = authority.substring(at + 1);
        if (hosts.isEmpty()) {
            hosts = "localhost";
        }
        for (String host : hosts.split(",", -1)) {
            checkHost(host);
        }
        List<String> params = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (key) {
                case "user" -> user = value;
                case "password" -> password = value;
                default -> params.add(pair);
            }
        }
        if (database.isEmpty()) {
            throw bad("the database URL names no database: end it in /DBNAME");
        }
        if (database.contains("/")) {
            throw bad("the database name '" + database + "' holds a '/'");
        }
        if (user != null && user.isEmpty()) {
            user = null;
        }
        if (password == null) {
            password = env.get("PGPASSWORD");
        }
        String jdbcUrl = "jdbc:postgresql://" + hosts + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + (params.isEmpty() ? "" : "?" + String.join("&", params));
        String shown = "postgresql://" + (user == null ? "" : user + "@") + hosts + "/" + database;
        return new PostgresUrl(jdbcUrl, user, password, shown);
    }

    /** A host with an optional port: {@code name}, {@code name:5432}, {@code [::1]:5432}. */
    private static void checkHost(String host) {
        String port = null;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0) {
                throw bad("the host '" + host + "' opens '[' but does not close it");
            }
            if (end + 1 < host.length()) {
                if (host.charAt(end + 1) != ':') {
                    throw bad("the host '" + host + "' has text after ']' that is not a port");
                }
                port = host.substring(end + 2);
            }
        } else {
            int colon = host.lastIndexOf(':');
            if (colon == 0 || host.isEmpty()) {
                throw bad("the database URL has an empty host");
            }
            if (colon > 0) {
                port = host.substring(colon + 1);
            }
        }
        if (port != null) {
            int n = -1;
            if (port.matches("[0-9]{1,5}")) {
                n = Integer.parseInt(port);
            }
            if (n < 1 || n > 65535) {
                throw bad("the port '" + port + "' is not a number from 1 to 65535");
            }
        }
    }

    /** Percent-decoding as in a URL's parts: '+' stays a plus (passwords hold them). */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad("the database URL has a broken %-escape (write a '%' in a password as %25)");
        }
    }

    private static QuarryException bad(String problem) {
        return new QuarryException(problem + "; " + FORMS);
    }
}
