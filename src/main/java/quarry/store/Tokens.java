package quarry.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import quarry.store.Records.Token;

/** API tokens. Only a hash of each secret is kept, never the secret itself. */
public interface Tokens {

    /** Stores a token; a name or hash that exists already throws {@link DuplicateException}. */
    void add(String name, String role, String hash);

    Optional<Token> findByHash(String hash);

    /** Every token, oldest first. */
    List<Token> list();

    /** Every token by its hash, for a check that compares against all of them. */
    Map<String, Token> hashes();

    /** @return whether a token of that name existed (its memberships go with it) */
    boolean delete(String name);

    /** Makes token {@code name} a member of a project; a member already stays one. */
    void addMember(long projectId, String name);

    /** @return whether it was a member */
    boolean removeMember(long projectId, String name);

    /** The project's members' names, sorted. */
    List<String> members(long projectId);

    boolean isMember(long projectId, String name);
}
