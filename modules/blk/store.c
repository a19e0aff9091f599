// SPDX-License-Identifier: GPL-2.0
/*
 * Backing store: one page per PAGE_SIZE of the device, allocated on the
 * first write into it and kept in an xarray. A page absent reads as
 * zeroes, so discard and write zeroes free whole pages and clear the
 * rest. Copies and frees of a page happen under one of KBLK_STORE_LOCKS
 * spinlocks hashed by page index, so a reader never sees a page freed
 * under it while requests to different pages run in parallel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include "kblk.h"

#define KBLK_PAGE_SECTORS	(PAGE_SIZE >> SECTOR_SHIFT)

static spinlock_t *kblk_page_lock(struct kblk_dev *dev, unsigned long idx)
{
	return &dev->page_lock[idx % KBLK_STORE_LOCKS];
}

void kblk_store_init(struct kblk_dev *dev)
{
	unsigned int i;

	xa_init(&dev->pages);
	for (i = 0; i < KBLK_STORE_LOCKS; i++)
		spin_lock_init(&dev->page_lock[i]);
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
 * Make sure every page a write of @bytes at @sector touches exists, so
 * that the copy itself cannot fail half-way. queue_rq must not sleep:
 * a failed atomic allocation asks blk-mq to retry the request later.
 */
int kblk_store_prepare(struct kblk_dev *dev, u64 sector, u32 bytes)
{
	unsigned long idx = sector / KBLK_PAGE_SECTORS;
	unsigned long last = (sector + (bytes >> SECTOR_SHIFT) - 1) /
			     KBLK_PAGE_SECTORS;
	struct page *page;
	void *old;

	for (; idx <= last; idx++) {
		if (xa_load(&dev->pages, idx))
			continue;
		page = alloc_page(GFP_ATOMIC | __GFP_ZERO | __GFP_NOWARN);
		if (!page)
			return -ENOMEM;
		old = xa_cmpxchg(&dev->pages, idx, NULL, page,
				 GFP_ATOMIC | __GFP_NOWARN);
		if (old) {
			/* someone else's page won the race, or no memory */
			__free_page(page);
			if (xa_is_err(old))
				return xa_err(old);
		} else {
			atomic_long_inc(&dev->nr_pages);
		}
	}
	return 0;
}

/* Copy @len bytes between @buf and the store at byte offset @pos. */
static void kblk_copy(struct kblk_dev *dev, u64 pos, void *buf,
		      unsigned int len, bool write)
{
	while (len) {
		unsigned long idx = pos >> PAGE_SHIFT;
		unsigned int off = offset_in_page(pos);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		spinlock_t *lock = kblk_page_lock(dev, idx);
		struct page *page;
		void *p;

		spin_lock(lock);
		page = xa_load(&dev->pages, idx);
		if (write) {
			/* kblk_store_prepare() made it exist */
			if (!WARN_ON_ONCE(!page)) {
				p = kmap_local_page(page);
				memcpy(p + off, buf, n);
				kunmap_local(p);
			}
		} else if (page) {
			p = kmap_local_page(page);
			memcpy(buf, p + off, n);
			kunmap_local(p);
		} else {
			memset(buf, 0, n);
		}
		spin_unlock(lock);
		pos += n;
		buf += n;
		len -= n;
	}
}

void kblk_store_rw(struct kblk_dev *dev, struct request *rq, bool write)
{
	u64 pos = blk_rq_pos(rq) << SECTOR_SHIFT;
	struct req_iterator iter;
	struct bio_vec bv;

	rq_for_each_segment(bv, rq, iter) {
		void *p = bvec_kmap_local(&bv);

		kblk_copy(dev, pos, p, bv.bv_len, write);
		kunmap_local(p);
		if (!write)
			flush_dcache_page(bv.bv_page);
		pos += bv.bv_len;
	}
}

/* Discard and write zeroes: drop whole pages, clear partial ones. */
void kblk_store_zero(struct kblk_dev *dev, u64 sector, u32 bytes)
{
	u64 pos = sector << SECTOR_SHIFT, end = pos + bytes;

	while (pos < end) {
		unsigned long idx = pos >> PAGE_SHIFT;
		unsigned int off = offset_in_page(pos);
		unsigned int n = min_t(u64, end - pos, PAGE_SIZE - off);
		spinlock_t *lock = kblk_page_lock(dev, idx);
		struct page *page;

		spin_lock(lock);
		if (n == PAGE_SIZE) {
			page = xa_erase(&dev->pages, idx);
		} else {
			page = xa_load(&dev->pages, idx);
			if (page)
				memzero_page(page, off, n);
			page = NULL;
		}
		spin_unlock(lock);
		if (page) {
			__free_page(page);
			atomic_long_dec(&dev->nr_pages);
		}
		pos += n;
	}
}
