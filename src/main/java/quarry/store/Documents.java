package quarry.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import quarry.core.AttributedDocument;
import quarry.core.Document;
import quarry.store.Records.Doc;

/** Each project's pool of documents, numbered by row from 0 in the order they were added. */
public interface Documents {

    /**
     * Appends documents to a project's pool in one transaction: all of them, or none when one
     * fails. An id already in the project throws {@link DuplicateException}; a source that throws
     * fails with {@link Store.SourceException}. Documents that come with labels get them as
     * annotations by {@code annotator}, in the same transaction.
     *
     * @return the number added
     */
    default int add(long projectId, Source documents, String annotator) {
        return addAttributed(projectId, sink -> documents.each(d -> sink.accept(AttributedDocument.of(d))), annotator);
    }

    /**
     * As {@link #add}, each label kept with the annotator and time its document names (an
     * interchange file's), or {@code annotator} and now where it names none.
     */
    int addAttributed(long projectId, AttributedSource documents, String annotator);

    int count(long projectId);

    /** Documents with {@code from <= row < from + limit}, in row order. */
    List<Doc> list(long projectId, int from, int limit);

    Optional<Doc> find(long projectId, String id);

    Optional<Doc> find(long projectId, int row);

    /** Documents to import, pushed one by one; may fail with the reason the source is unusable. */
    @FunctionalInterface
    interface Source {
        void each(Consumer<Document> sink) throws Exception;
    }

    /** Documents to import with who labeled them and when, pushed one by one. */
    @FunctionalInterface
    interface AttributedSource {
        void each(Consumer<AttributedDocument> sink) throws Exception;
    }
}
