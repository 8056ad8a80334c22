cross_attention_block = 42
