package incident

// Watcher lists. Every precise block root has a list of the vague
// observations compatible with some member of the block. The lists are
// chains of fixed-size nodes in one pool rather than slices: appending
// never copies a list that outgrew its array (appending watchers was a
// tenth of a flush when lists were slices grown by doubling), joining two
// blocks links their chains instead of copying one onto the other, and the
// pool holds no pointers for the collector to scan.

// watchNodeLen is how many watchers one node holds: with its length and
// link, a node fills a 64-byte cache line.
const watchNodeLen = 7

// watchNode is one link of a chain.
type watchNode struct {
	w    [watchNodeLen]watcher
	n    int32 // entries used
	next int32 // next node of the chain, -1 at its end
}

// watchList is one block's chain: its first and last nodes (-1, -1 when
// the list is empty). Appends go to the last node.
type watchList struct{ head, tail int32 }

var noWatchers = watchList{-1, -1}

// watchPool holds the nodes of every chain, and the chain of free ones.
type watchPool struct {
	nodes chunked[watchNode]
	free  int32 // first free node, -1 when none; free nodes are linked by next
}

func (p *watchPool) init() { p.free = -1 }

// node returns a fresh empty node.
func (p *watchPool) node() int32 {
	if i := p.free; i >= 0 {
		nd := p.nodes.at(i)
		p.free = nd.next
		nd.n, nd.next = 0, -1
		return i
	}
	i := p.nodes.len()
	p.nodes.push(watchNode{next: -1})
	return i
}

// add appends w to l.
func (p *watchPool) add(l *watchList, w watcher) {
	if l.tail < 0 {
		i := p.node()
		*l = watchList{i, i}
	} else if p.nodes.at(l.tail).n == watchNodeLen {
		i := p.node()
		p.nodes.at(l.tail).next = i
		l.tail = i
	}
	nd := p.nodes.at(l.tail)
	nd.w[nd.n] = w
	nd.n++
}

// last returns the entry appended last to l, if any. (After a join the
// last node may be the other list's: last is only a hint that lets add's
// callers skip an immediate repeat.)
func (p *watchPool) last(l watchList) (watcher, bool) {
	if l.tail < 0 {
		return watcher{}, false
	}
	nd := p.nodes.at(l.tail)
	if nd.n == 0 {
		return watcher{}, false
	}
	return nd.w[nd.n-1], true
}

// join moves every entry of b to the end of a, leaving b empty.
func (p *watchPool) join(a, b *watchList) {
	switch {
	case b.head < 0:
	case a.head < 0:
		*a = *b
	default:
		p.nodes.at(a.tail).next = b.head
		a.tail = b.tail
	}
	*b = noWatchers
}

// release returns l's nodes to the free chain and empties l.
func (p *watchPool) release(l *watchList) {
	if l.head >= 0 {
		p.nodes.at(l.tail).next = p.free
		p.free = l.head
	}
	*l = noWatchers
}
