package quarry.store.sqlite;

import org.junit.jupiter.api.Tag;
import java.nio.file.Path;
import quarry.store.Database;
import quarry.store.Store;
import quarry.store.StoreContract;

/** The store contract against a real SQLite file. */
@Tag("integration")
class SqliteStoreContractTest extends StoreContract {

    @Override
    protected Store open(Path dir) {
        return new Store(Database.sqlite(dir));
    }
}
