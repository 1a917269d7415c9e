package quarry.store.jdbc;

import java.util.Optional;
import quarry.store.Rankings;

/** Each project's latest ranking, one row per project, numbered as it is replaced. */
public final class JdbcRankings implements Rankings {

    private final Jdbc jdbc;

    public JdbcRankings(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void put(long projectId, int labelsAt, String picks) {
        jdbc.update("store ranking", "INSERT INTO rankings (project_id, seq, labels_at, picks, created) VALUES"
                + " (?, 1, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET seq = rankings.seq + 1, labels_at ="
                + " excluded.labels_at, picks = excluded.picks, created = excluded.created", projectId, labelsAt, picks,
                Jdbc.now());
    }

    @Override
    public long seq(long projectId) {
        return jdbc.one("read ranking", "SELECT seq FROM rankings WHERE project_id = ?", r -> r.getLong(1), projectId)
                .orElse(0L);
    }

    @Override
    public Optional<Stored> get(long projectId) {
        return jdbc.one("read ranking", "SELECT seq, labels_at, picks FROM rankings WHERE project_id = ?",
                r -> new Stored(r.getLong(1), r.getInt(2), r.getString(3)), projectId);
    }
}
