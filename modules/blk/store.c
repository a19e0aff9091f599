// SPDX-License-Identifier: GPL-2.0
/*
 * Backing store: one page per PAGE_SIZE of the device, allocated on the
 * first write into it and kept in an xarray. A page absent reads as
 * zeroes, so discard and write zeroes free whole pages and clear the
 * rest.
 *
 * Every look-up, allocation, copy and free of a page happens under one of
 * KBLK_STORE_LOCKS mutexes hashed by page index, so a write and a discard
 * of the same page serialise: the write finds its page or makes it under
 * the lock, and no discard can free it between the two. Requests to
 * different pages run in parallel. Mutexes, because a write allocates
 * its page under the lock with GFP_NOIO: queue_rq may sleep here, the
 * tag set being BLK_MQ_F_BLOCKING (see dev.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include "kblk.h"

#define KBLK_PAGE_SECTORS	(PAGE_SIZE >> SECTOR_SHIFT)

static struct mutex *kblk_page_lock(struct kblk_dev *dev, unsigned long idx)
{
	return &dev->page_lock[idx % KBLK_STORE_LOCKS];
}

void kblk_store_init(struct kblk_dev *dev)
{
	unsigned int i;

	xa_init(&dev->pages);
	for (i = 0; i < KBLK_STORE_LOCKS; i++)
		mutex_init(&dev->page_lock[i]);
	atomic_long_set(&dev->nr_pages, 0);
}

void kblk_store_free(struct kblk_dev *dev)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&dev->pages, idx, page)
		__free_page(page);
	xa_destroy(&dev->pages);
	atomic_long_set(&dev->nr_pages, 0);
}

/*
 * The page at @idx for a write, made (zeroed) when absent; NULL when out
 * of memory. Called with its page lock held. GFP_NOIO: the allocation may
 * sleep and reclaim, but must not issue I/O, which could come back to
 * this device and wait on the request being served.
 */
static struct page *kblk_page_get(struct kblk_dev *dev, unsigned long idx)
{
	struct page *page = xa_load(&dev->pages, idx);
	void *old;

	if (page)
		return page;
	page = alloc_page(GFP_NOIO | __GFP_ZERO | __GFP_NOWARN);
	if (!page)
		return NULL;
	/* absent under the lock, so only an allocation failure remains */
	old = xa_store(&dev->pages, idx, page, GFP_NOIO | __GFP_NOWARN);
	if (xa_is_err(old)) {
		__free_page(page);
		return NULL;
	}
	atomic_long_inc(&dev->nr_pages);
	return page;
}

/*
 * Copy @len bytes between @buf and the store at byte offset @pos;
 * -ENOMEM when a page to write cannot be made (the request is then
 * retried whole, so a part already copied does no harm).
 */
static int kblk_copy(struct kblk_dev *dev, u64 pos, void *buf,
		     unsigned int len, bool write)
{
	while (len) {
		unsigned long idx = pos >> PAGE_SHIFT;
		unsigned int off = offset_in_page(pos);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct mutex *lock = kblk_page_lock(dev, idx);
		struct page *page;
		void *p;

		mutex_lock(lock);
		page = write ? kblk_page_get(dev, idx) :
			       xa_load(&dev->pages, idx);
		if (write && !page) {
			mutex_unlock(lock);
			return -ENOMEM;
		}
		if (write) {
			p = kmap_local_page(page);
			memcpy(p + off, buf, n);
			kunmap_local(p);
		} else if (page) {
			p = kmap_local_page(page);
			memcpy(buf, p + off, n);
			kunmap_local(p);
		} else {
			memset(buf, 0, n);
		}
		mutex_unlock(lock);
		pos += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int kblk_store_rw(struct kblk_dev *dev, struct request *rq, bool write)
{
	u64 pos = blk_rq_pos(rq) << SECTOR_SHIFT;
	struct req_iterator iter;
	struct bio_vec bv;
	int ret;

	rq_for_each_segment(bv, rq, iter) {
		void *p = bvec_kmap_local(&bv);

		ret = kblk_copy(dev, pos, p, bv.bv_len, write);
		kunmap_local(p);
		if (ret)
			return ret;
		if (!write)
			flush_dcache_page(bv.bv_page);
		pos += bv.bv_len;
	}
	return 0;
}

/* Discard and write zeroes: drop whole pages, clear partial ones. */
void kblk_store_zero(struct kblk_dev *dev, u64 sector, u32 bytes)
{
	u64 pos = sector << SECTOR_SHIFT, end = pos + bytes;

	while (pos < end) {
		unsigned long idx = pos >> PAGE_SHIFT;
		unsigned int off = offset_in_page(pos);
		unsigned int n = min_t(u64, end - pos, PAGE_SIZE - off);
		struct mutex *lock = kblk_page_lock(dev, idx);
		struct page *page;

		mutex_lock(lock);
		if (n == PAGE_SIZE) {
			page = xa_erase(&dev->pages, idx);
		} else {
			page = xa_load(&dev->pages, idx);
			if (page)
				memzero_page(page, off, n);
			page = NULL;
		}
		mutex_unlock(lock);
		if (page) {
			__free_page(page);
			atomic_long_dec(&dev->nr_pages);
		}
		pos += n;
	}
}
