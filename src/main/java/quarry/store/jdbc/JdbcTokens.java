package quarry.store.jdbc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import quarry.store.Records.Token;
import quarry.store.Tokens;

/** API tokens. */
public final class JdbcTokens implements Tokens {

    private final Jdbc jdbc;

    public JdbcTokens(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void add(String name, String role, String hash) {
        jdbc.update("insert token " + name, "INSERT INTO tokens (name, role, hash, created) VALUES (?, ?, ?, ?)",
                name, role, hash, Jdbc.now());
    }

    @Override
    public Optional<Token> findByHash(String hash) {
        return jdbc.one("find token", "SELECT name, role, created FROM tokens WHERE hash = ?",
                r -> new Token(r.getString(1), r.getString(2), r.getString(3)), hash);
    }

    @Override
    public List<Token> list() {
        return jdbc.list("list tokens", "SELECT name, role, created FROM tokens ORDER BY created, name",
                r -> new Token(r.getString(1), r.getString(2), r.getString(3)));
    }

    @Override
    public Map<String, Token> hashes() {
        Map<String, Token> out = new LinkedHashMap<>();
        jdbc.list("list tokens", "SELECT hash, name, role, created FROM tokens", r -> out.put(r.getString(1),
                new Token(r.getString(2), r.getString(3), r.getString(4))));
        return out;
    }

    @Override
    public boolean delete(String name) {
        return jdbc.update("delete token " + name, "DELETE FROM tokens WHERE name = ?", name) > 0;
    }

    @Override
    public void addMember(long projectId, String name) {
        jdbc.update("add member " + name, "INSERT INTO members (project_id, token_name, added) VALUES (?, ?, ?)"
                + " ON CONFLICT DO NOTHING", projectId, name, Jdbc.now());
    }

    @Override
    public boolean removeMember(long projectId, String name) {
        return jdbc.update("remove member " + name, "DELETE FROM members WHERE project_id = ? AND token_name = ?",
                projectId, name) > 0;
    }

    @Override
    public List<String> members(long projectId) {
        return jdbc.list("list members", "SELECT token_name FROM members WHERE project_id = ? ORDER BY token_name",
                r -> r.getString(1), projectId);
    }

    @Override
    public boolean isMember(long projectId, String name) {
        return jdbc.one("check member", "SELECT 1 FROM members WHERE project_id = ? AND token_name = ?",
                r -> true, projectId, name).isPresent();
    }
}
