package dev.jvisor.gofer;

import dev.jvisor.abi.Host;
import java.util.HashMap;
import java.util.Map;

/**
 * The files one connection holds: fid number to the O_PATH descriptor that pins the file. The file type is
 * recorded at walk time; an inode never changes type, so it stays true for the descriptor's life. Owned by the
 * connection's thread.
 */
final class FidTable {
    /** A walked file: its O_PATH|O_NOFOLLOW descriptor, its S_IFMT bits and the mount (tree) it belongs to. */
    record Node(int fd, int type, int mount) {}

    private final Map<Long, Node> nodes = new HashMap<>();
    private long next = 1;

    long add(int fd, int type, int mount) {
        long id = next++;
        nodes.put(id, new Node(fd, type, mount));
        return id;
    }

    /** The node for {@code id}, or null when the fid is unknown. */
    Node get(long id) {
        return nodes.get(id);
    }

    /** Forgets {@code id} and closes its descriptor; false when unknown. */
    boolean remove(long id) {
        Node n = nodes.remove(id);
        if (n == null) {
            return false;
        }
        Host.close(n.fd());
        return true;
    }

    int size() {
        return nodes.size();
    }

    void closeAll() {
        for (Node n : nodes.values()) {
            Host.close(n.fd());
        }
        nodes.clear();
    }
}
