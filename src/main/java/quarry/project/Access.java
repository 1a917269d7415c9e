package quarry.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import quarry.core.DomainException;
import quarry.store.Records.Token;
import quarry.store.Store;

/**
 * API tokens and roles. A token is shown once when created; the store keeps only its SHA-256.
 * {@link #verify} compares the hash against every stored hash in constant time, so response times
 * say nothing about how close a guess was.
 */
public final class Access {

    /**
     * What a token may do, each role all that the one before may: annotators label; reviewers also
     * settle suspect labels and disagreements; admins also manage projects, tokens and models.
     */
    public enum Role {
        PUBLIC, ANNOTATOR, REVIEWER, ADMIN;

        /** Whether this role may call what {@code needed} may. */
        public boolean allows(Role needed) {
            return ordinal() >= needed.ordinal();
        }
    }

    /** Who made a request. */
    public record Caller(String name, Role role) {
    }

    private record Known(byte[] hash, Token token) {
    }

    private final Store store;
    private final SecureRandom random = new SecureRandom();
    private volatile List<Known> known;

    public Access(Store store) {
        this.store = store;
        reload();
    }

    /** Reads the tokens again: another server on the database may have added or deleted some. */
    void reload() {
        known = store.tokens().hashes().entrySet().stream()
                .map(e -> new Known(HexFormat.of().parseHex(e.getKey()), e.getValue())).toList();
    }

    public boolean hasTokens() {
        return !known.isEmpty();
    }

    public List<Token> tokens() {
        return store.tokens().list();
    }

    /** Creates a token for {@code name} with {@code role} and returns the secret (shown once). */
    public String create(String name, Role role) {
        if (name == null || !name.matches("[A-Za-z0-9_.@-]{1,64}")) {
            throw new DomainException.InvalidInput("token name must be 1-64 letters, digits or _ . @ -, got '" + name
                    + "'");
        }
        if (role == Role.PUBLIC) {
            throw new DomainException.InvalidInput("role must be admin, reviewer or annotator");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = "qk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        store.tokens().add(name, role.name().toLowerCase(), HexFormat.of().formatHex(sha256(token)));
        reload();
        return token;
    }

    public void delete(String name) {
        long admins = known.stream().filter(k -> k.token().role().equals("admin")).count();
        boolean isAdmin = known.stream().anyMatch(k -> k.token().name().equals(name) && k.token().role().equals("admin"));
        if (isAdmin && admins == 1) {
            throw new DomainException.Conflict("'" + name + "' is the last admin token; create another admin token"
                    + " first");
        }
        boolean deleted = store.tokens().delete(name);
        reload();
        if (!deleted) {
            throw new DomainException.NotFound("no token named '" + name + "'");
        }
    }

    /** The caller a secret belongs to, if any token matches it. */
    public Optional<Caller> verify(String secret) {
        Optional<Caller> caller = match(secret);
        // A token made on another server of the database a moment ago: read them again, at most once a second.
        long now = System.nanoTime();
        if (caller.isEmpty() && store.database().shared() && now - lastReload > 1_000_000_000L) {
            lastReload = now;
            reload();
            caller = match(secret);
        }
        return caller;
    }

    private volatile long lastReload;

    private Optional<Caller> match(String secret) {
        byte[] hash = sha256(secret);
        Token match = null;
        for (Known k : known) {
            // No early exit: every stored hash is compared, in constant time each.
            if (MessageDigest.isEqual(k.hash(), hash)) {
                match = k.token();
            }
        }
        return Optional.ofNullable(match).map(t -> new Caller(t.name(), Role.valueOf(t.role().toUpperCase())));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
