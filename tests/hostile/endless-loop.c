/* Spins forever: the run stops at --max-cycles with exit 1. */
int main(void)
{
    for (;;) {
        __asm__ volatile("");
    }
}
