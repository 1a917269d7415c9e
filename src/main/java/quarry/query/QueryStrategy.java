package quarry.query;

import java.util.List;
import quarry.core.Pick;

/**
 * Chooses which documents a person should label next. Every strategy keeps this contract: picks
 * are distinct candidate rows, at most {@code batchSize} of them, best first; the same context
 * and seed give the same picks; an empty pool gives an empty list.
 */
public interface QueryStrategy {

    String name();

    List<Pick> select(QueryContext context, int batchSize);
}
