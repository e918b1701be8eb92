package dev.parley.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Translates driver exceptions into {@link StorageException}, so that no driver type reaches a feature: a node or
 * the network failing (timeouts, unavailable replicas, overload, no connection) is {@link ErrorCode#UNAVAILABLE}, a
 * bad statement or schema is {@link ErrorCode#INTERNAL}.
 */
public final class CassandraErrors {
    private CassandraErrors() {
    }

    /**
     * @param what what failed, for the message ({@code "reading messages of conversation 7"})
     */
    public static StorageException translate(String what, Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof StorageException s) {
            return s;
        }
        ErrorCode code = isTransient(e) ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
        return new StorageException(code, "cassandra: " + what + " failed: " + e, e);
    }

    /** Whether the failure comes from the cluster's state (retrying later may work) rather than from a bug. */
    public static boolean isTransient(Throwable error) {
        Throwable e = unwrap(error);
        return e instanceof QueryExecutionException // unavailable, read/write timeout or failure, overloaded...
            || e instanceof AllNodesFailedException // includes NoNodeAvailableException
            || e instanceof DriverTimeoutException
            || e instanceof RequestThrottlingException
            || e instanceof ClosedConnectionException
            || e instanceof BusyConnectionException
            || e instanceof HeartbeatException
            || (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("closed"));
    }

    /** Whether the request certainly never reached a node (so it cannot have taken effect). */
    public static boolean neverSent(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof NoNodeAvailableException || e instanceof RequestThrottlingException) {
            return true;
        }
        // every node tried had no connection free or open: nothing went out
        return e instanceof AllNodesFailedException all && !all.getAllErrors().isEmpty()
            && all.getAllErrors().values().stream().flatMap(List::stream)
                .allMatch(x -> x instanceof NodeUnavailableException);
    }

    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
