/* pool: the smallest allocator the preemption explorer is tested on (tests/explore.test.ts):
   64-byte blocks on a LIFO free list in the heap, built three ways by build.sh:
     POOL_NOLOCK  no lock at all. The only unsafe window of sl_alloc is its pop, from the load of
                  the head (pool_pop_load) to the store of the new head (pool_pop_store): an IRQ
                  taken in between pops the same block, and the thread returns it too.
     POOL_MASK    each list operation runs with interrupts masked (PRIMASK saved, CPSID I, then
                  restored): one core, so no IRQ can see the list half-changed. Safe everywhere.
     POOL_SPIN    each list operation holds a spin lock (pool_lock: a test-and-set made atomic
                  by masking, then a wait that spins with interrupts on). An IRQ that allocates
                  while the thread holds it spins in pool_lock for ever.
   Blocks serve any size up to 64 bytes at any alignment up to 64 (the heap starts 4 KiB
   aligned); sl_realloc keeps the block when the new size fits, and fails otherwise. */
#include <stdint.h>

void sl_init(void *heap, uint32_t heap_size);
void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size);

#define BLOCK 64u

typedef struct node {
    struct node *next;
} node;

static node *head;

#if defined(POOL_MASK)
static inline uint32_t lock(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}
static inline void unlock(uint32_t primask) { __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory"); }
#elif defined(POOL_SPIN)
static volatile uint32_t locked;
__attribute__((noinline)) uint32_t pool_lock(void)
{
    for (;;) {
        uint32_t primask, was;
        __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
        was = locked;
        locked = 1;
        __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
        if (!was) return 0;
        while (locked) {
            /* the holder releases it; from an IRQ that preempted the holder, never */
        }
    }
}
__attribute__((noinline)) void pool_unlock(uint32_t unused)
{
    (void)unused;
    __asm__ volatile("" ::: "memory");
    locked = 0;
}
#define lock pool_lock
#define unlock pool_unlock
#else
static inline uint32_t lock(void) { return 0; }
static inline void unlock(uint32_t unused) { (void)unused; }
#endif

void sl_init(void *heap, uint32_t heap_size)
{
    uintptr_t p = ((uintptr_t)heap + BLOCK - 1u) & ~(uintptr_t)(BLOCK - 1u);
    uintptr_t end = (uintptr_t)heap + heap_size;
    head = 0;
    node **link = &head;
    for (; p + BLOCK <= end; p += BLOCK) {
        *link = (node *)p;
        link = &((node *)p)->next;
    }
    *link = 0;
}

__attribute__((noinline)) void *sl_alloc(uint32_t size, uint32_t align)
{
    if (size > BLOCK || align == 0 || align > BLOCK || (align & (align - 1u))) return 0;
    uint32_t held = lock();
    node *b;
    /* The pop, written out so its window has names: b = head; if (b) head = b->next. */
    __asm__ volatile("pool_pop_load:\n\t"
                     "ldr %0, [%1]\n\t"
                     "cmp %0, #0\n\t"
                     "beq 1f\n\t"
                     "ldr r3, [%0]\n"
                     "pool_pop_store:\n\t"
                     "str r3, [%1]\n"
                     "1:"
                     : "=&l"(b)
                     : "l"(&head)
                     : "r3", "cc", "memory");
    unlock(held);
    return b;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)size, (void)align;
    uint32_t held = lock();
    ((node *)ptr)->next = head;
    head = ptr;
    unlock(held);
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    (void)size, (void)align;
    return new_size <= BLOCK ? ptr : 0;
}
