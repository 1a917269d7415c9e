package quarry.server;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import quarry.store.Records.Token;
import quarry.store.Store;

/**
 * API tokens. A token is shown once when created; the store keeps only its SHA-256. Requests
 * carry it as {@code Authorization: Bearer <token>}; the check compares the hash against every
 * stored hash in constant time, so response times say nothing about how close a guess was.
 */
final class Auth {

    enum Role { PUBLIC, ANNOTATOR, ADMIN }

    /** Who made a request. */
    record Caller(String name, Role role) {
    }

    private record Known(byte[] hash, Token token) {
    }

    private final Store store;
    private final SecureRandom random = new SecureRandom();
    private volatile List<Known> known;

    Auth(Store store) {
        this.store = store;
        reload();
    }

    private void reload() {
        known = store.tokens().hashes().entrySet().stream()
                .map(e -> new Known(HexFormat.of().parseHex(e.getKey()), e.getValue())).toList();
    }

    boolean hasTokens() {
        return !known.isEmpty();
    }

    /** Creates a token for {@code name} with {@code role} and returns the secret (shown once). */
    String create(String name, Role role) {
        if (name == null || !name.matches("[A-Za-z0-9_.@-]{1,64}")) {
            throw ApiError.badRequest("token name must be 1-64 letters, digits or _ . @ -, got '" + name + "'");
        }
        if (role == Role.PUBLIC) {
            throw ApiError.badRequest("role must be admin or annotator");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = "qk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        store.tokens().add(name, role.name().toLowerCase(), HexFormat.of().formatHex(sha256(token)));
        reload();
        return token;
    }

    boolean delete(String name) {
        long admins = known.stream().filter(k -> k.token().role().equals("admin")).count();
        boolean isAdmin = known.stream().anyMatch(k -> k.token().name().equals(name) && k.token().role().equals("admin"));
        if (isAdmin && admins == 1) {
            throw ApiError.conflict("'" + name + "' is the last admin token; create another admin token first");
        }
        boolean deleted = store.tokens().delete(name);
        reload();
        return deleted;
    }

    /** The caller, if the request carries a valid token and the role allows the route. */
    Caller check(Context ctx, Role needed) {
        if (needed == Role.PUBLIC) {
            return null;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiError(401, "unauthorized", "send an API token as 'Authorization: Bearer <token>'", null);
        }
        byte[] hash = sha256(header.substring("Bearer ".length()).strip());
        Token match = null;
        for (Known k : known) {
            // No early exit: every stored hash is compared, in constant time each.
            if (MessageDigest.isEqual(k.hash(), hash)) {
                match = k.token();
            }
        }
        if (match == null) {
            throw new ApiError(401, "unauthorized", "unknown or revoked API token", null);
        }
        Caller caller = new Caller(match.name(), Role.valueOf(match.role().toUpperCase()));
        if (needed == Role.ADMIN && caller.role() != Role.ADMIN) {
            throw new ApiError(403, "forbidden", "this needs an admin token; '" + caller.name() + "' is an annotator",
                    null);
        }
        return caller;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
